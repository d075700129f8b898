#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py OUT_DIR HEADER_FILE RAW...

Turn the raw samples of make bench's boots (wq_bench's output, one file per
boot, named bootNN-ROLE-KIND.txt, ROLE patched or pristine, KIND full or
zero) into one Markdown table, OUT_DIR/results.md, and the data and gnuplot
scripts of the plots (OUT_DIR/case1.dat, case2.dat, plots.gp).

Statistics, as the issue asks:
 - a figure of one method is the median over its repetitions, with the
   spread as the interquartile range in per cent of the median;
 - a ratio of two methods of the same boot is computed repetition by
   repetition (the methods ran next to each other, interleaved) and the
   median of those ratios is reported, with its spread;
 - a patched/pristine ratio is computed boot pair by boot pair, from the
   medians of each boot, and the median of those ratios is reported with
   their minimum and maximum.
HEADER_FILE holds lines of context (QEMU, accelerator, host) for the header.
"""
import collections
import os
import re
import statistics
import sys


def quartiles(vals):
    """Median and interquartile range of a list."""
    s = sorted(vals)
    if len(s) == 1:
        return s[0], s[0], s[0]
    q = statistics.quantiles(s, n=4, method='inclusive')
    return q[1], q[0], q[2]


def spread(vals):
    """The interquartile range in per cent of the median, as text."""
    med, q1, q3 = quartiles(vals)
    if med == 0:
        return 'n/a'
    return '±%.0f%%' % (50.0 * (q3 - q1) / med)


def fmt_ns(ns):
    """A duration in ns, in a readable unit."""
    if ns >= 1e9:
        return '%.2f s' % (ns / 1e9)
    if ns >= 1e6:
        return '%.2f ms' % (ns / 1e6)
    if ns >= 1e3:
        return '%.1f µs' % (ns / 1e3)
    return '%.0f ns' % ns


def fmt_ratio(r):
    """A ratio, with sensible digits."""
    if r >= 100:
        return '%.0f×' % r
    if r >= 10:
        return '%.1f×' % r
    return '%.2f×' % r


class Boot:
    """The samples of one boot."""

    def __init__(self, path):
        self.path = path
        m = re.match(r'boot(\d+)-(patched|pristine)-(\w+)\.txt$',
                     os.path.basename(path))
        if not m:
            sys.exit('bench-report: bad raw file name ' + path)
        self.index = int(m.group(1))
        self.role = m.group(2)
        self.kind = m.group(3)
        self.info = {}
        self.skips = []
        # (case, x, method) -> {rep: value}
        self.s = collections.defaultdict(dict)
        self.done = False
        with open(path, errors='replace') as f:
            for line in f:
                f_ = line.rstrip('\r\n').split('\t')
                if f_[0] == 'S' and len(f_) == 6:
                    self.s[(int(f_[1]), f_[2], f_[3])][int(f_[4])] = \
                        float(f_[5])
                elif f_[0] == 'I' and len(f_) >= 3:
                    self.info.setdefault(f_[1], f_[2])
                elif f_[0] == 'K' and len(f_) >= 5:
                    self.skips.append(f_[1:])
                elif f_[0] == 'D':
                    self.done = True
        if not self.done:
            sys.exit('bench-report: %s has no closing D line: the run '
                     'did not finish' % path)

    def vals(self, c, x, m):
        """The values of a method, in repetition order."""
        d = self.s.get((c, x, m), {})
        return [d[k] for k in sorted(d)]

    def med(self, c, x, m):
        """The median of a method, or None."""
        v = self.vals(c, x, m)
        return statistics.median(v) if v else None

    def ratios(self, c, x, num, den):
        """num/den, repetition by repetition."""
        a = self.s.get((c, x, num), {})
        b = self.s.get((c, x, den), {})
        return [a[r] / b[r] for r in sorted(a) if r in b and b[r] > 0]

    def xs(self, c):
        """The parameters of a case, in the order first seen."""
        seen = []
        for (cc, x, _m) in self.s:
            if cc == c and x not in seen:
                seen.append(x)
        return seen


def cell(boot, c, x, m, unit=fmt_ns):
    """'median ±spread' of one method, or a dash."""
    v = boot.vals(c, x, m)
    if not v:
        return '–'
    return '%s %s' % (unit(statistics.median(v)), spread(v))


def ratio_cell(boot, c, x, num, den):
    """The median of per-repetition ratios, with its spread."""
    r = boot.ratios(c, x, num, den)
    if not r:
        return '–', None
    med = statistics.median(r)
    return '%s %s' % (fmt_ratio(med), spread(r)), med


class Report:
    """The Markdown document, line by line."""

    def __init__(self):
        self.lines = []
        self.targets = []

    def p(self, s=''):
        self.lines.append(s)

    def table(self, head, rows):
        self.p('| ' + ' | '.join(head) + ' |')
        self.p('|' + '---|' * len(head))
        for r in rows:
            self.p('| ' + ' | '.join(r) + ' |')
        self.p()

    def target(self, case, target, measured, met):
        verdict = {True: 'met', False: '**missed**', None: 'not measured'}
        self.targets.append((case, target, measured, verdict[met]))


def case1(rep, full, out):
    meths = ['mountinfo', 'listmount', 'statmount', 'record', 'record+stat']
    xs = full.xs(1)
    if not xs:
        return
    rep.p('## 1. Detecting one mount change')
    rep.p()
    rep.p('CPU time of the monitor to learn that one bind mount was added, '
          'and which one, with N mounts in its mount namespace; "peerN": '
          'N mounts that are all slaves of one peer group of the parent '
          'namespace.')
    rep.p()
    rows = []
    for x in xs:
        rows.append([x] + [cell(full, 1, x, m) for m in meths])
    rep.table(['mounts'] + meths, rows)
    rep.p('The floor under "record": one poll() of an empty ring, which '
          '"record" makes once, costs %s at 10 mounts and %s at 1000 '
          '(median).' % (fmt_ns(full.med(1, '10', 'empty-poll') or 0),
                         fmt_ns(full.med(1, '1000', 'empty-poll') or 0)))
    rep.p()
    pairs = [('mountinfo', 'record'), ('listmount', 'record'),
             ('mountinfo', 'record+stat'), ('listmount', 'record+stat'),
             ('statmount', 'record+stat')]
    rows = []
    meds = {}
    for x in xs:
        row = [x]
        for a, b in pairs:
            txt, med = ratio_cell(full, 1, x, a, b)
            meds[(x, a, b)] = med
            row.append(txt)
        rows.append(row)
    rep.table(['mounts'] + ['%s / %s' % p for p in pairs], rows)
    with open(os.path.join(out, 'case1.dat'), 'w') as f:
        f.write('# mounts ' + ' '.join(meths) + ' (median ns)\n')
        for x in xs:
            if not x.isdigit():
                continue
            f.write(x + ' ' + ' '.join('%g' % (full.med(1, x, m) or 0)
                                       for m in meths) + '\n')

    def t(x, a, b, want):
        m = meds.get((x, a, b))
        return ('%s' % fmt_ratio(m) if m else '–',
                None if m is None else m >= want)

    for a, b, want in [('mountinfo', 'record', 1000),
                       ('listmount', 'record', 50),
                       ('mountinfo', 'record+stat', 300),
                       ('listmount', 'record+stat', 15)]:
        txt, ok = t('1000', a, b, want)
        rep.target('1, 1000 mounts', '%s / %s ≥ %d×' % (a, b, want),
                   txt, ok)
    for m in ('record', 'record+stat'):
        hi, lo = full.med(1, '5000', m), full.med(1, '10', m)
        if hi and lo:
            rep.target('1, 5000 mounts', '%s at 5000 within 2× of 10' % m,
                       fmt_ratio(hi / lo), hi / lo <= 2)
        else:
            rep.target('1, 5000 mounts', '%s at 5000 within 2× of 10' % m,
                       '–', None)


def case2(rep, full, out):
    xs = full.xs(2)
    if not xs:
        return
    rep.p('## 2. Detecting one namespace change')
    rep.p()
    rep.p('CPU time to learn that one of N processes (each in UTS and IPC '
          'namespaces of its own) entered a new network namespace: '
          'readlink() of every /proc/*/ns/* link and a diff, against one '
          'NOTIFY_NS_CREATE record, which names the task and the '
          'namespace.  Process events (fork, exec, exit) do not exist as '
          'records yet, so a monitor still needs /proc to learn of new '
          'processes; this measures the namespace change alone.')
    rep.p()
    rows = []
    meds = {}
    for x in xs:
        txt, med = ratio_cell(full, 2, x, 'scan', 'record')
        meds[x] = med
        rows.append([x, cell(full, 2, x, 'scan'), cell(full, 2, x, 'record'),
                     txt])
    rep.table(['processes', 'scan', 'record', 'scan / record'], rows)
    with open(os.path.join(out, 'case2.dat'), 'w') as f:
        f.write('# processes scan record (median ns)\n')
        for x in xs:
            f.write('%s %g %g\n' % (x, full.med(2, x, 'scan') or 0,
                                    full.med(2, x, 'record') or 0))
    m = meds.get('1000')
    rep.target('2, 1000 processes', 'scan / record ≥ 1000×',
               fmt_ratio(m) if m else '–', None if m is None else m >= 1000)


def per_sec(ns):
    """Records per second from ns per record."""
    return '%.2f M/s' % (1e3 / ns) if ns >= 1 else '%.0f M/s' % (1e3 / ns)


def case3(rep, full):
    xs = full.xs(3)
    if not xs:
        return
    rep.p('## 3. Consumer cost')
    rep.p()
    rep.p('The same key records, in a ring and in a notification pipe '
          'watching the same key; consumer CPU per batch of B records '
          '(one poll(), then watchq_next() in place, or read() into 4 KiB). '
          'Records per second of consumer CPU.')
    rep.p()
    rows = []
    meds = {}
    for x in xs:
        txt, med = ratio_cell(full, 3, x, 'pipe', 'ring')
        meds[x] = med
        rows.append([x, cell(full, 3, x, 'ring', per_sec),
                     cell(full, 3, x, 'pipe', per_sec), txt])
    rep.table(['batch', 'ring', 'pipe', 'ring / pipe (speed)'], rows)
    m = meds.get('256')
    rep.target('3, batch 256', 'ring ≥ 10× pipe',
               fmt_ratio(m) if m else '–', None if m is None else m >= 10)


def case4(rep, full):
    xs = full.xs(4)
    if not xs:
        return
    rep.p('## 4. Raw ring throughput')
    rep.p()
    rep.p('Records of 32 bytes injected with write(), 64 per call, each '
          'batch drained before the next: the ring (watchq_next() and a '
          'copy out), a plain pipe (write() and read()), and memcpy() of '
          'the same bytes twice (the bound).  Records per second of CPU.')
    rep.p()
    rows = []
    for x in xs:
        r_p, m_p = ratio_cell(full, 4, x, 'pipe', 'ring')
        r_m, m_m = ratio_cell(full, 4, x, 'memcpy', 'ring')
        rows.append([x, cell(full, 4, x, 'ring', per_sec),
                     cell(full, 4, x, 'pipe', per_sec),
                     cell(full, 4, x, 'memcpy', per_sec), r_p,
                     ('%.1f%%' % (100.0 * m_m)) if m_m else '–'])
        rep.target('4', 'ring ≥ ½ of the memcpy bound',
                   ('%.1f%% of it' % (100.0 * m_m)) if m_m else '–',
                   None if m_m is None else m_m >= 0.5)
        rep.target('4', 'ring faster than the pipe',
                   (fmt_ratio(m_p) + ' of the pipe\'s speed') if m_p else '–',
                   None if m_p is None else m_p >= 1)
    rep.table(['records', 'ring', 'pipe', 'memcpy ×2', 'ring / pipe (speed)',
               'ring / bound'], rows)
    rep.p('Where the time goes: CPU per record of each phase, timed batch '
          'by batch in the same runs, and of the ring with one record per '
          'write() ("ring-w1"), which adds the cost of a write() call to '
          'every record.')
    rep.p()
    rows = []
    for x in xs:
        rows.append([x] + [cell(full, 4, x, m) for m in
                           ('ring.write', 'ring.read', 'pipe.write',
                            'pipe.read', 'ring-w1')])
    rep.table(['records', 'ring write()', 'ring consumer', 'pipe write()',
               'pipe read()', 'ring, 1 per write()'], rows)


def case5(rep, full, zeros):
    xs = full.xs(5) if full else []
    rep.p('## 5. Producer overhead')
    rep.p()
    if xs:
        rep.p('CPU time per operation (the caller\'s and its children\'s) '
              'with W queues watching the object it changes; the lazy '
              'unmount of a tree of mounts with 0, 1 and 100 rings '
              'watching.  "x / 0" is the median of per-repetition ratios '
              'to the configuration without watchers.')
        rep.p()
        confs = ['0', '1ring', '1pipe', '8ring', '64ring']
        rows = []
        for x in xs:
            if x.startswith('lazy'):
                continue
            row = [x] + [cell(full, 5, x, c) for c in confs]
            txt, med = ratio_cell(full, 5, x, '1ring', '0')
            row.append(txt)
            rows.append(row)
            rep.target('5, ' + x, '1 ring watcher within 5% of 0',
                       ('%+.1f%%' % (100 * (med - 1))) if med else '–',
                       None if med is None else med <= 1.05)
        rep.table(['operation'] + confs + ['1ring / 0'], rows)
        rows = []
        for x in xs:
            if not x.startswith('lazy'):
                continue
            row = [x] + [cell(full, 5, x, c) for c in ('0', '1', '100')]
            row.append(ratio_cell(full, 5, x, '1', '0')[0])
            row.append(ratio_cell(full, 5, x, '100', '0')[0])
            rows.append(row)
        rep.table(['lazy umount', '0 queues', '1', '100', '1 / 0', '100 / 0'],
                  rows)
    pat = sorted((b for b in zeros if b.role == 'patched'),
                 key=lambda b: b.index)
    pri = sorted((b for b in zeros if b.role == 'pristine'),
                 key=lambda b: b.index)
    pairs = list(zip(pat, pri))
    if not pairs:
        return
    rep.p('Patched kernel with no watcher against the pristine base, %d '
          'pairs of alternating boots (pristine, patched, pristine, ...). '
          'Per boot the median over its repetitions; per pair the ratio; '
          'the median of the ratios and their range.' % len(pairs))
    rep.p()
    rows = []
    for x in pat[0].xs(5):
        rs, mins = [], []
        for a, b in pairs:
            ma, mb = a.med(5, x, '0'), b.med(5, x, '0')
            va, vb = a.vals(5, x, '0'), b.vals(5, x, '0')
            if ma and mb:
                rs.append(ma / mb)
                mins.append(min(va) / min(vb))
        if not rs:
            continue
        med = statistics.median(rs)
        pm = statistics.median(a.med(5, x, '0') for a, _ in pairs)
        pp = statistics.median(b.med(5, x, '0') for _, b in pairs)
        rows.append([x, fmt_ns(pp), fmt_ns(pm), '%+.1f%%' % (100 * (med - 1)),
                     '%+.1f%% … %+.1f%%' % (100 * (min(rs) - 1),
                                           100 * (max(rs) - 1)),
                     '%+.1f%%' % (100 * (statistics.median(mins) - 1))])
        if not x.startswith('lazy'):
            rep.target('5, ' + x, '0 watchers within 1% of pristine',
                       '%+.1f%% (pairs %+.1f%% … %+.1f%%)' %
                       (100 * (med - 1), 100 * (min(rs) - 1),
                        100 * (max(rs) - 1)),
                       abs(med - 1) <= 0.01)
    rep.table(['operation', 'pristine', 'patched, 0 watchers',
               'patched / pristine (median)', 'range over pairs',
               'ratio of the fastest repetitions'], rows)
    rep.p('These boots, and case 5\'s own, run under QEMU\'s -icount: '
          'the guest\'s clock counts the instructions it executes, so '
          'the figures are of work done, the same on a busy host as on '
          'a quiet one (under plain TCG, time the vCPU spent descheduled '
          'on the host counted too, and the pairs ranged from -67% to '
          '+205%).  The last column is the median over the pairs of the '
          'ratio of each boot\'s fastest repetition.')
    rep.p()


def case6(rep, full):
    xs = full.xs(6)
    if not xs:
        return
    rep.p('## 6. Wake-ups')
    rep.p()
    rep.p('A producer thread on CPU 1 updates a watched key (burst: back '
          'to back; paced: one every 50 µs); the consumer on CPU 0 sleeps, '
          'takes everything there is, and sleeps again.')
    rep.p()
    rows = []
    for x in xs:
        for w in ('poll', 'epoll-lt', 'epoll-et', 'io_uring'):
            rows.append([x, w,
                         cell(full, 6, x, w + '/records-per-wakeup',
                              lambda v: '%.1f' % v),
                         cell(full, 6, x, w + '/ns-per-record')])
    rep.table(['producer', 'wait', 'records per wake-up',
               'consumer CPU per record'], rows)
    for s in full.skips:
        if s[0] == '6':
            rep.p('- %s, %s: not measured: %s' % (s[1], s[2], s[3]))
    rep.p()


def case7(rep, full):
    xs = full.xs(7)
    if not xs:
        return
    rep.p('## 7. Memory')
    rep.p()
    rep.p('Kernel memory charged to a memory cgroup ("kernel" of '
          'memory.stat) per queue and per watch.  A notification pipe\'s '
          'note pages are not charged, so its figure is a floor.')
    rep.p()
    rows = [[x, cell(full, 7, x, 'bytes', lambda v: '%.0f B' % v)]
            for x in xs]
    rep.table(['object', 'bytes each'], rows)
    seen = set()
    for s in full.skips:
        if s[0] == '7' and s[1] not in seen:
            seen.add(s[1])
            rep.p('- %s: not measured: %s' % (s[1], s[3]))
    rep.p()


def case8(rep, full):
    xs = full.xs(8)
    if not xs:
        return
    rep.p('## 8. Resynchronising after a loss')
    rep.p()
    rep.p('Wall time for a monitor that lost records of one watched '
          'subtree, in a namespace of N mounts (x = N/subtree), to rebuild '
          'its view: the change counter, listmount() of the subtree, '
          'statmount() of each of its mounts and the counter again '
          '(subtree-resync, Documentation/userspace-api/mount_notify.rst), '
          'against re-reading and splitting all of /proc/self/mountinfo, '
          'and against a statmount() snapshot of the whole namespace.')
    rep.p()
    rows = []
    meds = {}
    for x in xs:
        txt, med = ratio_cell(full, 8, x, 'mountinfo', 'subtree-resync')
        meds[x] = med
        ftxt, _ = ratio_cell(full, 8, x, 'full-resync', 'subtree-resync')
        rows.append([x, cell(full, 8, x, 'subtree-resync'),
                     cell(full, 8, x, 'mountinfo'),
                     cell(full, 8, x, 'full-resync'), txt, ftxt])
    rep.table(['mounts/subtree', 'subtree-resync', 'mountinfo',
               'full-resync', 'mountinfo / subtree', 'full / subtree'], rows)
    m = meds.get('1000/10')
    rep.target('8, 1000 mounts, subtree of 10',
               'mountinfo / subtree-resync > 1×',
               fmt_ratio(m) if m else '–', None if m is None else m > 1)


def case9(rep, full):
    xs = full.xs(9)
    if not xs:
        return
    rep.p('## 9. Processes')
    rep.p()
    rep.p('"spawn": wall time of one fork(), execve() of a program that '
          'exits at once, and waitpid(), with no process event watch (0) '
          'and with one watch on the initial pid namespace whose ring is '
          'drained after each spawn (1).  The 0 runs come first, as the '
          'hooks\' static branch stays on a second after a watch goes.  '
          '"trackN": CPU time to learn which of N tracked processes exited, '
          'by a readdir() of /proc and a diff (scan) against one EXIT '
          'record (record).')
    rep.p()
    rows = []
    for x in xs:
        if x == 'spawn':
            txt, _ = ratio_cell(full, 9, x, '1', '0')
            rows.append([x, cell(full, 9, x, '0'), cell(full, 9, x, '1'),
                         '1 / 0: ' + txt])
        else:
            txt, med = ratio_cell(full, 9, x, 'scan', 'record')
            rows.append([x, cell(full, 9, x, 'scan'),
                         cell(full, 9, x, 'record'), 'scan / record: ' + txt])
    rep.table(['measure', '0 or scan', '1 or record', 'ratio'], rows)


def main():
    out, header = sys.argv[1], sys.argv[2]
    boots = [Boot(p) for p in sys.argv[3:]]
    fulls = [b for b in boots if b.kind == 'full' and b.role == 'patched']
    zeros = [b for b in boots if b.kind == 'zero']
    full = fulls[0] if fulls else None
    # Case 5 has a full boot of its own (under -icount): one set of
    # samples for the patched kernel's full runs.
    for b in fulls[1:]:
        for k, v in b.s.items():
            full.s[k].update(v)
        full.skips += b.skips
    rep = Report()
    rep.p('# make bench')
    rep.p()
    with open(header) as f:
        for line in f:
            rep.p('- ' + line.strip())
    for b in boots:
        rep.p('- boot %d, %s kernel (%s run): %s, %s vCPUs, clocksource %s' %
              (b.index, b.role, b.kind, b.info.get('kernel', '?'),
               b.info.get('cpus', '?'), b.info.get('clocksource', '?')))
    rep.p('- Figures: median over the repetitions of one boot, ±half the '
          'interquartile range in per cent of the median.  Ratios: median '
          'of per-repetition ratios of methods interleaved in the same '
          'boot.  Absolute times under TCG are context only.')
    rep.p()
    if full:
        case1(rep, full, out)
        case2(rep, full, out)
        case3(rep, full)
        case4(rep, full)
    case5(rep, full, zeros)
    if full:
        case6(rep, full)
        case7(rep, full)
        case8(rep, full)
        case9(rep, full)
    body = rep.lines
    rep.lines = []
    rep.p('## Targets')
    rep.p()
    rep.table(['case', 'target', 'measured', ''],
              [list(t) for t in rep.targets])
    first = next((i for i, l in enumerate(body) if l.startswith('## ')),
                 len(body))
    lines = body[:first] + rep.lines + body[first:]
    text = '\n'.join(lines).rstrip() + '\n'
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == '__main__':
    main()
