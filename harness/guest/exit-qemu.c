// SPDX-License-Identifier: GPL-2.0
/*
 * exit-qemu STATUS: end the guest and hand STATUS (0..127) to the host.
 *
 * The write to QEMU's isa-debug-exit device makes QEMU exit with status
 * (STATUS << 1) | 1, which the host's harness/scripts/boot.sh decodes.  A
 * QEMU that exits with any other status did not get a verdict from the guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/io.h>
#include <sys/reboot.h>

#define DEBUG_EXIT_PORT	0xf4

int main(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : 0;

	if (status < 0 || status > 127)
		status = 127;
	sync();
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl(status, DEBUG_EXIT_PORT);
	perror("exit-qemu: no isa-debug-exit device");
	reboot(RB_POWER_OFF);
	return 1;
}
