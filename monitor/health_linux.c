// Health checks: while the container runs, `burrow healthcheck run ID`
// every interval (_BURROW_MON_HEALTH_MS), one at a time, the next an
// interval after the last ended. The command runs the check through the
// exec path and records it (engine/healthcheck.go); the monitor only
// keeps time, so a container with a health check costs no process
// between checks, as podman's systemd timers.
#include "monitor.h"

#include <unistd.h>

/* mon_health_due starts the check when it is due and returns the
 * milliseconds until the next one (-1: none to wait for). */
int mon_health_due(struct monitor *m) {
	if (m->cfg.health_ms <= 0 || m->health_pid > 0 || m->exited)
		return -1;
	long long now = mon_now_ms();
	if (!m->health_next)
		m->health_next = now + m->cfg.health_ms;
	if (m->health_next > now)
		return (int)(m->health_next - now < 1 << 30 ? m->health_next - now : 1 << 30);
	pid_t pid = fork();
	if (pid == 0)
		mon_exec_burrow(m, "healthcheck", "run");
	if (pid > 0) {
		m->health_pid = pid;
		return -1;
	}
	/* No process now: try again an interval later. */
	m->health_next = now + m->cfg.health_ms;
	return -1;
}

/* mon_health_reaped takes the end of a check. */
void mon_health_reaped(struct monitor *m, pid_t pid) {
	if (pid != m->health_pid)
		return;
	m->health_pid = 0;
	m->health_next = mon_now_ms() + m->cfg.health_ms;
}
