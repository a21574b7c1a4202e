/* membench's native fast sampler: the 1 kHz loop of src/sample/fast-ticker.ts (cgroup and roots membership) in
 * C, handing node batches of fixed-size binary records over stdout. node (src/sample/native-fast.ts) starts it,
 * writes commands on its stdin, decodes the records and keeps the JavaScript sampler as the fallback.
 *
 *   sampler INTERVAL_US PAGE_BYTES PROC_ROOT USAGE_FILE|- PROCS_FILE|- FLUSH_MS STATM_CAP STATM_BUDGET_NS NICE FIFO
 *           QUIET_AFTER_MS QUIET_EVERY_MS
 *
 * stdin, one command a line:   "b ORIGIN_NS PID..." begin (tMs = CLOCK_MONOTONIC − ORIGIN_NS), then ticks;
 *                              "+ PID"  follow PID too (a root added later);  "q"  a last tick, LEAVE all, END, exit.
 * After begin, stdin is read when SIGIO says it has something (O_ASYNC; no read of an empty pipe at every tick), and
 * every STDIN_SAFETY_MS anyway; where O_ASYNC cannot be set, every STDIN_EVERY_MS.
 * stdout: records of 64 bytes, little-endian (x86/arm hosts), see struct rec. Written in batches every FLUSH_MS,
 * or within URGENT_MS when a process joined, left or changed (non-blocking: a slow reader never delays a tick; records wait in memory). Each carries a sequence number and a
 * FNV-1a checksum, so the reader can tell a torn or lost record from a good one.
 * Membership: with PROCS_FILE, cgroup.procs re-read every tick (unchanged bytes: no parse), a member listed once and
 * then missing has left; without, the roots alone. A quiet tree (no statm, usage or membership move for QUIET_AFTER_MS)
 * has it re-read every QUIET_EVERY_MS instead (0: every tick), as fast-ticker.ts; a process that ends is still seen at
 * the next tick by its statm read. statm of every member every tick, or with STATM_CAP > 0 at most
 * that many in turn, or with STATM_BUDGET_NS > 0 and more than 32 members as many as fit in it (at least 8). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x3153424dU /* "MBS1": format version 1 */
enum { T_HELLO = 1, T_TICK = 2, T_JOIN = 3, T_LEAVE = 4, T_CHANGE = 5, T_ADAPT = 6, T_END = 7 };
/* 64 bytes: magic, type, flags, seq, pid (or count), five doubles, a u32, the checksum of the 60 bytes before it. */
struct rec {
  uint32_t magic;
  uint16_t type, flags;
  uint32_t seq;
  int32_t pid;
  double v[5];
  uint32_t u;
  uint32_t sum;
};
_Static_assert(sizeof(struct rec) == 64, "record size");

#define WHOLE_TREE 32
#define MIN_READS 8

struct member {
  int pid, statm, listed;
  double rss, vsz, maxrss, last_seen;
  int read; /* read at least once */
};

static struct member *mem;
static int nmem, capmem;
static char *out;
static size_t out_len, out_cap;
static uint32_t seq;
static int urgent; /* a JOIN, LEAVE or CHANGE waits in the buffer: flushed within URGENT_MS, not FLUSH_MS */
static int moved;  /* a JOIN, LEAVE or CHANGE since the main loop last looked: the tree is not quiet */
#define URGENT_MS 10
#define STDIN_EVERY_MS 5
#define STDIN_SAFETY_MS 250
static volatile sig_atomic_t stdin_ready = 1;
static void on_sigio(int sig) { (void)sig; stdin_ready = 1; }
static long page;
static const char *proc_root;
static char buf[1 << 16];

static uint32_t fnv1a(const void *p, size_t n) {
  const unsigned char *b = p;
  uint32_t h = 2166136261U;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619U;
  return h;
}

static void emit(uint16_t type, uint16_t flags, int32_t pid, double a, double b, double c, double d, double e, uint32_t u) {
  struct rec r = { MAGIC, type, flags, seq++, pid, { a, b, c, d, e }, u, 0 };
  if (type == T_JOIN || type == T_LEAVE || type == T_CHANGE) urgent = moved = 1;
  r.sum = fnv1a(&r, 60);
  if (out_len + sizeof r > out_cap) {
    out_cap = out_cap ? out_cap * 2 : 1 << 16;
    out = realloc(out, out_cap);
    if (!out) _exit(3);
  }
  memcpy(out + out_len, &r, sizeof r);
  out_len += sizeof r;
}

/* comm in the 16 bytes of v[1..2] (JOIN) or v[3..4] (LEAVE): the name at that moment, "" when gone. */
static void comm_of(int pid, char name[16]) {
  char p[96];
  memset(name, 0, 16);
  snprintf(p, sizeof p, "%s/%d/comm", proc_root, pid);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, name, 15);
  close(fd);
  if (n > 0 && name[n - 1] == '\n') name[n - 1] = 0;
}

static void emit_named(uint16_t type, int32_t pid, double a, double b, double c, int slot, const char name[16]) {
  double v[5] = { a, b, c, 0, 0 };
  memcpy(&v[slot], name, 16);
  emit(type, 0, pid, v[0], v[1], v[2], v[3], v[4], 0);
}

static void flush_out(int force) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t w = write(1, out + done, out_len - done);
    if (w > 0) { done += (size_t)w; continue; }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN && force) { usleep(1000); continue; }
    if (w < 0 && errno != EAGAIN) _exit(4); /* the reader is gone */
    break;
  }
  memmove(out, out + done, out_len - done);
  out_len -= done;
}

static double now_ms(long long origin) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return ((long long)t.tv_sec * 1000000000LL + t.tv_nsec - origin) / 1e6;
}

/* pid → member index + 1 (0: not a member), so a list of thousands is merged in linear time. */
static int *slot_of;
static long pid_max = 4194304;

static int find(int pid) {
  return pid > 0 && pid <= pid_max ? slot_of[pid] - 1 : -1;
}

static void add(int pid, double t) {
  if (pid <= 0 || pid > pid_max || find(pid) >= 0) return;
  char p[96];
  snprintf(p, sizeof p, "%s/%d/statm", proc_root, pid);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (nmem == capmem) {
    capmem = capmem ? capmem * 2 : 64;
    mem = realloc(mem, capmem * sizeof *mem);
    if (!mem) _exit(3);
  }
  mem[nmem++] = (struct member){ pid, fd, 0, 0, 0, 0, t, 0 };
  slot_of[pid] = nmem;
  char name[16];
  comm_of(pid, name);
  emit_named(T_JOIN, pid, t, 0, 0, 1, name);
}

static void retire(int i, double t) {
  char name[16];
  comm_of(mem[i].pid, name);
  emit_named(T_LEAVE, mem[i].pid, t, mem[i].last_seen, mem[i].maxrss, 3, name);
  close(mem[i].statm);
  slot_of[mem[i].pid] = 0;
  mem[i] = mem[--nmem];
  if (i < nmem) slot_of[mem[i].pid] = i + 1;
}

/* The next decimal number after blanks (statm, a usage counter): strtol's locale and overflow handling cost ~2 % of
 * a tick here, and the kernel writes plain digits. *end: past it. */
static long long digits(const char *s, const char **end) {
  while (*s == ' ' || *s == '\n') s++;
  long long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  *end = s;
  return v;
}

/* statm: 0 = read (a zombie reads zeros), -1 = gone. */
static int read_statm(struct member *m, double t) {
  ssize_t n = pread(m->statm, buf, 128, 0);
  if (n <= 0) return -1;
  buf[n] = 0;
  const char *e;
  double vsz = (double)digits(buf, &e) * page;
  double rss = (double)digits(e, &e) * page;
  int high = rss > m->maxrss;
  /* RSS or VSZ moved: the slow thread reads its status (VmHWM, VmRSS, VmData cannot move otherwise). */
  if ((!m->read || rss != m->rss || vsz != m->vsz) && vsz > 0) emit(T_CHANGE, high, m->pid, t, rss, vsz, 0, 0, 0);
  m->rss = vsz > 0 ? rss : 0;
  m->vsz = vsz > 0 ? vsz : 0;
  m->read = 1;
  if (vsz > 0) {
    m->last_seen = t;
    if (high) m->maxrss = rss;
  }
  return vsz > 0 ? 1 : 0;
}

static char procs_last[1 << 16];
static ssize_t procs_last_n = -1;
static const char *procs_path;
/* v1 hands a kept-open cgroup.procs reader the list of its first read for as long as reads keep coming: reopened
 * every tick there (as pid-list.ts ProcsFile); v2 re-reads a kept-open one. */
static int procs_reopen;

static void cgroup_members(int procs, double t) {
  int fd = procs_reopen ? open(procs_path, O_RDONLY | O_CLOEXEC) : procs;
  if (fd < 0) return;
  ssize_t n = 0;
  for (ssize_t k; n < (ssize_t)sizeof buf - 1 && (k = pread(fd, buf + n, sizeof buf - 1 - n, n)) > 0;) n += k;
  if (procs_reopen) close(fd);
  if (n < 0) return;
  if (n == procs_last_n && memcmp(buf, procs_last, n) == 0) return;
  memcpy(procs_last, buf, n);
  procs_last_n = n;
  moved = 1; /* the list changed: not a quiet tree */
  buf[n] = 0;
  for (int i = 0; i < nmem; i++) mem[i].listed &= ~2; /* bit 1: listed now; bit 0: listed once */
  int again = 0;
  char copy[sizeof buf];
  memcpy(copy, buf, n + 1);
  for (char *s = copy; *s;) {
    char *e;
    long pid = strtol(s, &e, 10);
    if (e == s) break;
    s = e;
    while (*s == '\n') s++;
    int i = find((int)pid);
    if (i < 0) { add((int)pid, t); i = find((int)pid); }
    if (i < 0) again = 1; /* statm unreadable for a moment: handle the list again next tick */
    else mem[i].listed |= 3;
  }
  if (again) procs_last_n = -1;
  for (int i = 0; i < nmem;) {
    if ((mem[i].listed & 1) && !(mem[i].listed & 2)) retire(i, t);
    else i++;
  }
}

int main(int argc, char **argv) {
  if (argc != 13) {
    fprintf(stderr, "usage: %s INTERVAL_US PAGE_BYTES PROC_ROOT USAGE_FILE|- PROCS_FILE|- FLUSH_MS STATM_CAP STATM_BUDGET_NS NICE FIFO QUIET_AFTER_MS QUIET_EVERY_MS\n", argv[0]);
    return 2;
  }
  long step = atol(argv[1]) * 1000L;
  page = atol(argv[2]);
  proc_root = argv[3];
  int usage = strcmp(argv[4], "-") ? open(argv[4], O_RDONLY | O_CLOEXEC) : -1;
  int procs = strcmp(argv[5], "-") ? open(argv[5], O_RDONLY | O_CLOEXEC) : -1;
  procs_path = argv[5];
  struct statfs sf;
  procs_reopen = procs >= 0 && !(fstatfs(procs, &sf) == 0 && sf.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */);
  double flush_ms = atof(argv[6]);
  int statm_cap = atoi(argv[7]);
  double budget_ns = atof(argv[8]);
  int want_nice = atoi(argv[9]), want_fifo = atoi(argv[10]);
  double quiet_after = atof(argv[11]), quiet_every_ms = atof(argv[12]);
  if (step <= 0 || page <= 0) return 2;
  FILE *pm = fopen("/proc/sys/kernel/pid_max", "r");
  if (pm) { if (fscanf(pm, "%ld", &pid_max) != 1) pid_max = 4194304; fclose(pm); }
  slot_of = calloc(pid_max + 1, sizeof *slot_of); /* untouched pages cost no memory */
  if (!slot_of) return 3;
  /* Above the rest of membench and the target when permitted, as the JavaScript fast thread. */
  double nice_got = setpriority(PRIO_PROCESS, 0, want_nice) == 0 ? want_nice : NAN;
  int fifo_errno = 0;
  if (want_fifo) {
    struct sched_param sp = { .sched_priority = 1 };
    if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) fifo_errno = errno;
  }
  emit(T_HELLO, 0, getpid(), nice_got, sched_getscheduler(0), 0, 0, 0, fifo_errno);
  flush_out(1);
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);

  /* Wait for "b ORIGIN PID...". */
  static char cmd[1 << 16];
  size_t cmd_len = 0;
  long long origin = 0;
  int begun = 0;
  while (!begun) {
    ssize_t n = read(0, cmd + cmd_len, sizeof cmd - 1 - cmd_len);
    if (n <= 0) return 0; /* node went away before begin */
    cmd_len += n;
    cmd[cmd_len] = 0;
    char *nl = strchr(cmd, '\n');
    if (!nl) continue;
    *nl = 0;
    if (cmd[0] == 'q') return 0;
    if (cmd[0] != 'b') return 2;
    char *s = cmd + 1, *e;
    origin = strtoll(s, &e, 10);
    s = e;
    double t = now_ms(origin);
    for (long pid; (pid = strtol(s, &e, 10)), e != s; s = e) add((int)pid, t);
    size_t rest = cmd_len - (nl + 1 - cmd);
    memmove(cmd, nl + 1, rest);
    cmd_len = rest;
    begun = 1;
  }
  /* SIGIO when a command arrives (the handler first: its default action ends the process). */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigio;
  sigemptyset(&sa.sa_mask);
  int async = sigaction(SIGIO, &sa, NULL) == 0 && fcntl(0, F_SETOWN, getpid()) == 0 &&
              fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK | O_ASYNC) == 0;
  if (!async) fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

  struct timespec t0, ts;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long slot = 0, ticks = 0, missed = 0;
  unsigned cursor = 0;
  double read_ns = -1, last_flush = now_ms(origin);
  int adapted = 0, min_reads = 0, max_members = 0;
  int stopping = 0;
  long next_stdin = 0, stdin_every = (long)((async ? STDIN_SAFETY_MS : STDIN_EVERY_MS) * 1e6 / step);
  if (stdin_every < 1) stdin_every = 1;
  long quiet_every = (long)(quiet_every_ms * 1e6 / step + 0.5), last_members = 0, quiet_skipped = 0;
  double last_active = now_ms(origin), last_usage = NAN;
  long next_members = 0, members_every = 1;
  int members_max = 0;
  double members_ns = -1;
  for (;;) {
    double t = now_ms(origin);
    /* Commands: read when SIGIO came (cleared first: a command arriving during the read raises it again), and every
     * STDIN_SAFETY_MS; without O_ASYNC every STDIN_EVERY_MS (a read of an empty pipe is a syscall, ~1 % of a tick's CPU). */
    int poll_in = stdin_ready || ticks >= next_stdin;
    if (poll_in) {
      stdin_ready = 0;
      next_stdin = ticks + stdin_every;
    }
    for (ssize_t cn = poll_in ? 1 : -1; cn > 0 && cmd_len < sizeof cmd - 1;) {
      cn = read(0, cmd + cmd_len, sizeof cmd - 1 - cmd_len);
      if (cn == 0) stopping = 1; /* stdin closed: node is gone or done */
      if (cn > 0) cmd_len += cn;
    }
    cmd[cmd_len] = 0;
    for (char *nl; cmd_len > 0 && (nl = memchr(cmd, '\n', cmd_len));) {
      *nl = 0;
      if (cmd[0] == 'q') stopping = 1;
      else if (cmd[0] == '+') add(atoi(cmd + 1), t);
      size_t rest = cmd_len - (nl + 1 - cmd);
      memmove(cmd, nl + 1, rest);
      cmd_len = rest;
    }
    /* cgroup.procs of a big group costs the kernel a walk of its tasks: re-read every `every` ticks so that it stays
     * within the statm budget's share of a tick (as fast-ticker.ts's membership budget), at most every 250. */
    /* A quiet tree (nothing moved for QUIET_AFTER_MS): every QUIET_EVERY_MS. A fork is seen that much later at most. */
    int quiet = quiet_every > 1 && t - last_active >= quiet_after && ticks - last_members < quiet_every;
    if (procs >= 0 && ticks >= next_members && quiet) quiet_skipped++;
    else if (procs >= 0 && ticks >= next_members) {
      struct timespec m0, m1;
      clock_gettime(CLOCK_MONOTONIC, &m0);
      cgroup_members(procs, t);
      clock_gettime(CLOCK_MONOTONIC, &m1);
      next_members = ticks + 1;
      last_members = ticks;
      if (budget_ns > 0 && nmem > WHOLE_TREE) {
        double cost = (m1.tv_sec - m0.tv_sec) * 1e9 + (m1.tv_nsec - m0.tv_nsec);
        members_ns = members_ns < 0 ? cost : members_ns + 0.2 * (cost - members_ns);
        long every = (long)(members_ns / budget_ns);
        if (every * budget_ns < members_ns) every++;
        if (every > 250) every = 250;
        if (every > 1) {
          next_members = ticks + every;
          if (every > members_every || nmem > members_max) {
            if (every > members_every) members_every = every;
            if (nmem > members_max) members_max = nmem;
            emit(T_ADAPT, 1, 0, t, members_every, members_max, 0, 0, 0);
          }
        }
      }
    }

    /* statm: all, or a capped/budgeted number in turn (the others carry their last reading). */
    int cap = nmem;
    if (statm_cap > 0 && statm_cap < nmem) cap = statm_cap;
    else if (statm_cap == 0 && budget_ns > 0 && nmem > WHOLE_TREE && read_ns > 0) {
      int fit = (int)(budget_ns / read_ns);
      if (fit < MIN_READS) fit = MIN_READS;
      if (fit < nmem) {
        cap = fit;
        if (!adapted) { adapted = 1; min_reads = fit; max_members = nmem; emit(T_ADAPT, 0, 0, t, fit, nmem, 0, 0, 0); }
        if (fit < min_reads || nmem > max_members) {
          if (fit < min_reads) min_reads = fit;
          if (nmem > max_members) max_members = nmem;
          emit(T_ADAPT, 0, 0, t, min_reads, max_members, 0, 0, 0);
        }
      }
    }
    struct timespec r0, r1;
    int timed = budget_ns > 0 && nmem > WHOLE_TREE;
    if (timed) clock_gettime(CLOCK_MONOTONIC, &r0);
    int carried = cap < nmem;
    for (int j = 0; j < cap && nmem > 0; j++) {
      int i = (int)((cursor + j) % (unsigned)nmem);
      if (read_statm(&mem[i], t) < 0 || (mem[i].rss == 0 && mem[i].vsz == 0 && !(procs >= 0 && (mem[i].listed & 2)))) {
        retire(i, t); /* gone, or a zombie no cgroup lists: ended */
        j--; cap = cap > nmem ? nmem : cap;
      }
    }
    if (timed && cap > 0) {
      clock_gettime(CLOCK_MONOTONIC, &r1);
      double per = ((r1.tv_sec - r0.tv_sec) * 1e9 + (r1.tv_nsec - r0.tv_nsec)) / cap;
      read_ns = read_ns < 0 ? per : read_ns + 0.2 * (per - read_ns);
    }
    if (carried && nmem > 0) {
      cursor = (cursor + cap) % (unsigned)nmem;
      for (int i = 0; i < nmem; i++) if (!mem[i].read) read_statm(&mem[i], t);
    }
    double rss = 0, vsz = 0, largest = 0, tree = NAN;
    for (int i = 0; i < nmem; i++) {
      rss += mem[i].rss;
      vsz += mem[i].vsz;
      if (mem[i].rss > largest) largest = mem[i].rss;
    }
    if (usage >= 0) {
      ssize_t n = pread(usage, buf, 64, 0);
      const char *e;
      if (n > 0) { buf[n] = 0; tree = (double)digits(buf, &e); }
    }
    if (moved || (tree != last_usage && !(isnan(tree) && isnan(last_usage)))) last_active = t;
    moved = 0;
    last_usage = tree;
    emit(T_TICK, carried, nmem, t, tree, rss, vsz, largest, (uint32_t)missed);
    ticks++;
    if (stopping) break;
    /* Changes reach node (and the slow thread's status reads) within URGENT_MS; a steady tree's ticks every FLUSH_MS;
     * with no member left, every tick: node ends the run once two ticks saw the tree empty (tree-wait.ts), and batches
     * 100 ms apart made every run's end ~200 ms late (treeWallMs 292 ms for an 80 ms gcc). */
    if (t - last_flush >= flush_ms || (urgent && t - last_flush >= URGENT_MS) || nmem == 0) {
      flush_out(0);
      last_flush = t;
      urgent = 0;
    }
    /* Next slot, as schedule.ts: a late tick counts for its slot, slots whose whole interval passed are missed. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long el = (ts.tv_sec - t0.tv_sec) * 1000000000L + (ts.tv_nsec - t0.tv_nsec);
    long next = slot + 1, current = el / step;
    if (current > next) { missed += current - next; next = current; }
    slot = next;
    long at = t0.tv_nsec + slot * step;
    ts.tv_sec = t0.tv_sec + at / 1000000000L;
    ts.tv_nsec = at % 1000000000L;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {} /* SIGIO: sleep on to the slot */
  }
  double t = now_ms(origin);
  while (nmem > 0) retire(nmem - 1, t);
  struct timespec cpu;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  emit(T_END, 0, 0, t, cpu.tv_sec * 1e3 + cpu.tv_nsec / 1e6, (double)ticks, (double)missed, (double)quiet_skipped, 0);
  flush_out(1);
  return 0;
}
