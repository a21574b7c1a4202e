/*
 * membench's reaper: runs the target as its only child, stays outside the run's cgroup and process group, and
 * reports the kernel's own exit accounting of every process it can wait for — so a process that lives between two
 * samples still has its peak counted exactly.
 *
 *   reaper REPORT_FD [NAME=VALUE ...] -- PROGRAM [ARG ...]
 *
 * PR_SET_CHILD_SUBREAPER makes orphaned descendants (double-forked daemons) its children too. The child starts a
 * session and process group of its own (so membench kills the tree without the reaper), gets NAME=VALUE in its environment
 * (the reaper's own environ stays free of the run's marker), and execs PROGRAM. Lines written to REPORT_FD:
 *   P <child pid>                          once, right after the fork
 *   R <pid> <ru_maxrss KiB> <wait status>  per process reaped (the child first or not; orphans too)
 *   C <RUSAGE_CHILDREN ru_maxrss KiB>      once every child is gone (ECHILD): the largest ru_maxrss of all
 *                                          descendants waited for, by the reaper or by a parent that was
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 are passed on to the child. The reaper ends the way the child
 * did: the same exit code, or the same signal raised on itself. stdin/stdout/stderr are the child's, untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

static volatile pid_t child = 0;
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define NFORWARDED (int)(sizeof forwarded / sizeof forwarded[0])

static void forward(int sig) {
  if (child > 0) kill(child, sig);
}

static void report(int fd, const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = write(fd, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return; /* membench gone: keep reaping, the child's fate is unchanged */
    line += w;
    n -= (size_t)w;
  }
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: reaper REPORT_FD [NAME=VALUE ...] -- PROGRAM [ARG ...]\n");
    return 125;
  }
  int fd = atoi(argv[1]);
  int sep = 2;
  while (sep < argc && strcmp(argv[sep], "--") != 0) sep++;
  if (sep + 1 >= argc) {
    fprintf(stderr, "membench reaper: no program after --\n");
    return 125;
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) perror("membench reaper: PR_SET_CHILD_SUBREAPER");

  /* Closed on the child's exec: the child's pid is reported once it runs the program, never while it is still a copy
   * of the reaper (the sampler would take its name and memory for the target's). */
  int execd[2];
  if (pipe2(execd, O_CLOEXEC) != 0) {
    perror("membench reaper: pipe");
    return 125;
  }
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = fork();
  if (pid < 0) {
    perror("membench reaper: fork");
    return 125;
  }
  if (pid == 0) {
    close(execd[0]);
    for (int i = 0; i < NFORWARDED; i++) signal(forwarded[i], SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* A session (and process group) of its own, as the target had when membench spawned it detached itself. */
    setsid();
    /* The reaper gone (killed by membench's guard), its child goes too; the rest of the tree is the guard's. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int i = 2; i < sep; i++) {
      char *eq = strchr(argv[i], '=');
      if (!eq) continue;
      *eq = '\0';
      setenv(argv[i], eq + 1, 1);
    }
    execvp(argv[sep + 1], argv + sep + 1);
    fprintf(stderr, "membench: cannot run %s: %s\n", argv[sep + 1], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  child = pid;
  close(execd[1]);
  /* No setpgid from here: it would race the child's setsid. Until its exec the child is in the reaper's group (which
   * membench's guard knows); its own pid is reported only after the exec, when its group exists. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < NFORWARDED; i++) sigaction(forwarded[i], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);

  char line[128], byte;
  while (read(execd[0], &byte, 1) < 0 && errno == EINTR) {}
  close(execd[0]);
  snprintf(line, sizeof line, "P %d\n", (int)pid);
  report(fd, line);

  int childStatus = 0;
  for (;;) {
    int st;
    struct rusage ru;
    pid_t r = wait4(-1, &st, 0, &ru);
    if (r < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: every descendant is gone */
    }
    snprintf(line, sizeof line, "R %d %ld %d\n", (int)r, ru.ru_maxrss, st);
    report(fd, line);
    if (r == pid) childStatus = st;
  }
  struct rusage all_children;
  getrusage(RUSAGE_CHILDREN, &all_children);
  snprintf(line, sizeof line, "C %ld\n", all_children.ru_maxrss);
  report(fd, line);
  close(fd);

  if (WIFSIGNALED(childStatus)) {
    int sig = WTERMSIG(childStatus);
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    return 128 + sig;
  }
  return WIFEXITED(childStatus) ? WEXITSTATUS(childStatus) : 125;
}
