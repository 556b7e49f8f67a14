// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_STREAM when the memory behind a buffer is not ordinary, across
 * AF_UNIX, AF_VSOCK (loopback) and AF_TOY: a writer whose buffer faults
 * and never gets its page (userfaultfd), a reader whose buffer a fork
 * shares, a reader whose buffer is a file's shared mapping.
 *
 * AF_TOY copies a writer's bytes straight into the pinned buffer of a
 * reader that waits (one copy instead of two). A writer must not be able
 * to hold such a reader unkillable by stalling on its own memory, and the
 * reader's pages must be pinned, not merely referenced, so that the bytes
 * land in the memory the reader sees afterwards. The other families never
 * let a writer near a reader's memory; they are here to show that AF_TOY
 * behaves as they do.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "toy_nl.h"

/* One bulk message: large enough for AF_TOY to post a waiting reader's buffer. */
#define BULK		65536
#define PAGE		4096
/* How long a signalled or killed reader may take to return, in ms. */
#define SIGNAL_MS	3000

/* The two ends of the fixture's connection: client C (writes), server S. */
enum { C, S, NFDS };

FIXTURE(user_memory) {
	int family;
	int fd[NFDS];
	int uffd;		/* userfaultfd of @stuck, or -1 */
	unsigned char *stuck;	/* BULK bytes whose pages never come */
	unsigned char *pattern;	/* what @stuck gets once the test lets it */
	struct toy_genl genl;	/* AF_TOY: for the DIRECT_BYTES counter */
	bool genl_open;
};

FIXTURE_VARIANT(user_memory) {
	enum fam fam;
};

FIXTURE_VARIANT_ADD(user_memory, unix) {
	.fam = FAM_UNIX,
};

FIXTURE_VARIANT_ADD(user_memory, vsock) {
	.fam = FAM_VSOCK,
};

FIXTURE_VARIANT_ADD(user_memory, toy) {
	.fam = FAM_TOY,
};

FIXTURE_SETUP(user_memory)
{
	fds_init(self->fd, NFDS);
	self->uffd = -1;
	self->stuck = NULL;
	self->pattern = page_buf(BULK, 0);
	ASSERT_NE(NULL, self->pattern);
	bulk_pattern(self->pattern, BULK, 5);
	self->family = fam_number(variant->fam);
	self->genl_open = false;
}

/* Let the pages of @stuck come, so that no thread stays stuck on them. */
static void release_stuck(FIXTURE_DATA(user_memory) *self)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)self->stuck,
		.src = (uintptr_t)self->pattern,
		.len = BULK,
	};

	if (self->uffd < 0)
		return;
	/* every page at once; one already there stops it (EEXIST): page by page */
	if (ioctl(self->uffd, UFFDIO_COPY, &copy)) {
		size_t off;

		for (off = 0; off < BULK; off += PAGE) {
			copy.dst = (uintptr_t)self->stuck + off;
			copy.src = (uintptr_t)self->pattern + off;
			copy.len = PAGE;
			copy.copy = 0;
			ioctl(self->uffd, UFFDIO_COPY, &copy);
		}
	}
	close(self->uffd);
	self->uffd = -1;
}

FIXTURE_TEARDOWN(user_memory)
{
	release_stuck(self);
	fds_close(self->fd, NFDS);
	if (self->genl_open)
		toy_genl_close(&self->genl);
}

#define PAIR_OR_SKIP() do {						\
	FAMILY_OR_SKIP(self->family, variant->fam);			\
	stream_pair(_metadata, variant->fam, self->family, 0, self->fd); \
} while (0)

/*
 * BULK bytes at self->stuck registered with userfaultfd and never filled
 * until release_stuck(): whoever touches them, the writer included when
 * the kernel copies from them, waits for a page that does not come.
 */
#define STUCK_OR_SKIP() do {						\
	struct uffdio_api api = { .api = UFFD_API };			\
	struct uffdio_register reg = {					\
		.range.len = BULK,					\
		.mode = UFFDIO_REGISTER_MODE_MISSING,			\
	};								\
									\
	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);	\
	if (self->uffd < 0 && errno == ENOSYS)				\
		SKIP(return, "userfaultfd(2): ENOSYS, the kernel lacks CONFIG_USERFAULTFD (selftests/config has it)"); \
	ASSERT_LE(0, self->uffd) TH_LOG("userfaultfd: %s", strerror(errno)); \
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));		\
	self->stuck = mmap(NULL, BULK, PROT_READ | PROT_WRITE,		\
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);		\
	ASSERT_NE(MAP_FAILED, self->stuck);				\
	reg.range.start = (uintptr_t)self->stuck;			\
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg))		\
		TH_LOG("UFFDIO_REGISTER: %s", strerror(errno));		\
} while (0)

/* Has a thread faulted on self->stuck within @ms? */
static bool stuck_fault_within(FIXTURE_DATA(user_memory) *self, int ms)
{
	struct pollfd pfd = { .fd = self->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return read(self->uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	       msg.event == UFFD_EVENT_PAGEFAULT;
}

/*
 * Wait up to @ms for @c to return, looking at its thread's state every
 * millisecond: true when it returned; *@seen_d when it was ever in D.
 */
static bool call_returns_watched(struct call *c, int ms, bool *seen_d)
{
	long end = now_ms() + ms;

	do {
		if (thread_state(c->tid) == 'D')
			*seen_d = true;
		if (call_returns_within(c, 1))
			return true;
	} while (now_ms() < end);
	return false;
}

/* AF_TOY: the namespace's DIRECT_BYTES counter; the others: 0. */
static int64_t direct_bytes(struct __test_metadata *_metadata,
			    FIXTURE_DATA(user_memory) *self,
			    const FIXTURE_VARIANT(user_memory) *variant)
{
	if (variant->fam != FAM_TOY)
		return 0;
	if (!self->genl_open) {
		ASSERT_EQ(0, toy_genl_open(&self->genl))
			TH_LOG("the af_toy generic netlink family: %s", strerror(errno));
		self->genl_open = true;
	}
	return toy_direct_bytes(&self->genl);
}

/*
 * A reader waits with a bulk buffer; the writer sends from memory whose
 * pages never come. A signal to the reader ends its recv() at once (EINTR:
 * it got nothing), its thread is never seen in D (uninterruptible) state,
 * and once the pages come every byte the writer reports arrives, once.
 */
TEST_F(user_memory, reader_signalled_while_the_writer_faults_returns_at_once)
{
	struct call r = { .op = CALL_RECV, .len = BULK };
	struct call w = { .op = CALL_SEND, .len = BULK, .flags = MSG_NOSIGNAL };
	unsigned char *in = page_buf(BULK, 0);
	bool returned, seen_d = false;
	ssize_t have;

	PAIR_OR_SKIP();
	STUCK_OR_SKIP();
	ASSERT_NE(NULL, in);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, BULK);
	ASSERT_EQ(0, catch_signal(SIGUSR1, false));

	r.fd = self->fd[S];
	r.buf = in;
	ASSERT_EQ(0, call_start(&r));
	EXPECT_FALSE(call_returns_watched(&r, BLOCKED_MS, &seen_d));
	w.fd = self->fd[C];
	w.buf = self->stuck;
	ASSERT_EQ(0, call_start(&w));
	EXPECT_TRUE(stuck_fault_within(self, WAKE_MS));
	/* the writer is stuck: the reader must still be its own */
	EXPECT_FALSE(call_returns_watched(&r, BLOCKED_MS, &seen_d));
	EXPECT_EQ(0, syscall(SYS_tgkill, getpid(), r.tid, SIGUSR1));
	returned = call_returns_watched(&r, SIGNAL_MS, &seen_d);
	EXPECT_TRUE(returned) TH_LOG("recv() still blocked %d ms after the signal", SIGNAL_MS);
	EXPECT_FALSE(seen_d) TH_LOG("the reader was in D state");

	/* whatever happened, let the writer go before anything else */
	release_stuck(self);
	ASSERT_TRUE(call_returns_within(&w, WAKE_MS));
	call_join(&w);
	ASSERT_TRUE(call_returns_within(&r, WAKE_MS));
	call_join(&r);
	ASSERT_EQ(BULK, w.ret) TH_LOG("send: %s", strerror(w.err));
	if (returned && r.ret < 0)
		EXPECT_EQ(EINTR, observed_errno(r.err));
	have = r.ret > 0 ? r.ret : 0;
	EXPECT_EQ(BULK, have + read_full(self->fd[S], in + have, BULK - have));
	EXPECT_EQ(0, memcmp(self->pattern, in, BULK));
}

/*
 * The same with SIGKILL, to a reader in a process of its own: it is gone
 * at once, and it took nothing with it, since nothing had reached it.
 */
TEST_F(user_memory, reader_killed_while_the_writer_faults_dies_at_once)
{
	struct call w = { .op = CALL_SEND, .len = BULK, .flags = MSG_NOSIGNAL };
	unsigned char *in = page_buf(BULK, 0);
	int status = -1;
	long end;
	pid_t pid;

	PAIR_OR_SKIP();
	STUCK_OR_SKIP();
	ASSERT_NE(NULL, in);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, BULK);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		recv(self->fd[S], in, BULK, 0);
		_exit(0);
	}
	/* the child is blocked in recv() once it sleeps there */
	end = now_ms() + WAKE_MS;
	while (now_ms() < end && !waitpid(pid, &status, WNOHANG)) {
		char path[64], state = '?';
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "re");
		if (f && fscanf(f, "%*d %*s %c", &state) == 1 && state == 'S') {
			fclose(f);
			break;
		}
		if (f)
			fclose(f);
		poll(NULL, 0, 5);
	}
	w.fd = self->fd[C];
	w.buf = self->stuck;
	ASSERT_EQ(0, call_start(&w));
	EXPECT_TRUE(stuck_fault_within(self, WAKE_MS));
	EXPECT_EQ(0, kill(pid, SIGKILL));
	end = now_ms() + SIGNAL_MS;
	while (!waitpid(pid, &status, WNOHANG) && now_ms() < end)
		poll(NULL, 0, 1);
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("the reader lived %d ms after SIGKILL", SIGNAL_MS);

	release_stuck(self);
	ASSERT_TRUE(call_returns_within(&w, WAKE_MS));
	call_join(&w);
	if (!WIFSIGNALED(status))
		waitpid(pid, &status, 0);
	ASSERT_EQ(BULK, w.ret) TH_LOG("send: %s", strerror(w.err));
	EXPECT_EQ(BULK, read_full(self->fd[S], in, BULK));
	EXPECT_EQ(0, memcmp(self->pattern, in, BULK));
}

/*
 * A reader waits with a bulk buffer; another thread forks, and while the
 * child still shares the buffer's pages the parent writes a byte next to
 * it, in its last page. The bytes the writer sends must land in the
 * parent's buffer, beside the parent's byte. With pages merely referenced
 * they would go to the page the child kept (copy-on-write gave the parent
 * a new one).
 */
TEST_F(user_memory, reader_buffer_shared_with_a_fork_gets_every_byte)
{
	/* the read leaves the end of the last page to the parent's write */
	struct call r = { .op = CALL_RECV, .len = BULK - 64,
			  .flags = MSG_WAITALL };
	unsigned char *in = page_buf(BULK, 0);
	int64_t direct;
	int go[2];
	pid_t pid;

	PAIR_OR_SKIP();
	ASSERT_NE(NULL, in);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, BULK);
	direct = direct_bytes(_metadata, self, variant);
	ASSERT_EQ(0, pipe(go));

	r.fd = self->fd[S];
	r.buf = in;
	ASSERT_EQ(0, call_start(&r));
	EXPECT_FALSE(call_returns_within(&r, BLOCKED_MS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char byte;

		/* keep the pages shared until the parent is done */
		_exit(read(go[0], &byte, 1) == 1 ? 0 : 1);
	}
	in[BULK - 1] = 'P';
	ASSERT_EQ(BULK - 64, send(self->fd[C], self->pattern, BULK - 64, 0));
	ASSERT_TRUE(call_returns_within(&r, WAKE_MS));
	call_join(&r);
	EXPECT_EQ(1, write(go[1], "", 1));
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);

	EXPECT_EQ(BULK - 64, r.ret) TH_LOG("recv: %s", strerror(r.err));
	EXPECT_EQ(0, memcmp(self->pattern, in, BULK - 64));
	EXPECT_EQ('P', in[BULK - 1]);
	/* AF_TOY: it went the direct way, or this showed nothing */
	if (variant->fam == FAM_TOY)
		EXPECT_EQ(BULK - 64, direct_bytes(_metadata, self, variant) - direct);
}

/*
 * A reader waits with a buffer that is a MAP_SHARED mapping of a file:
 * what it receives is in the file afterwards, read back through the file
 * after the mapping is gone.
 */
TEST_F(user_memory, recv_into_a_shared_file_mapping_reaches_the_file)
{
	struct call r = { .op = CALL_RECV, .len = BULK, .flags = MSG_WAITALL };
	char path[] = "/tmp/toy-user-memory.XXXXXX";
	unsigned char *map, *back = page_buf(BULK, 0);
	int64_t direct;
	int file;

	PAIR_OR_SKIP();
	ASSERT_NE(NULL, back);
	file = mkstemp(path);
	ASSERT_LE(0, file) TH_LOG("mkstemp: %s", strerror(errno));
	unlink(path);
	ASSERT_EQ(0, ftruncate(file, BULK));
	map = mmap(NULL, BULK, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	ASSERT_NE(MAP_FAILED, map);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], back, BULK);
	direct = direct_bytes(_metadata, self, variant);

	r.fd = self->fd[S];
	r.buf = map;
	ASSERT_EQ(0, call_start(&r));
	EXPECT_FALSE(call_returns_within(&r, BLOCKED_MS));
	ASSERT_EQ(BULK, send(self->fd[C], self->pattern, BULK, 0));
	ASSERT_TRUE(call_returns_within(&r, WAKE_MS));
	call_join(&r);
	EXPECT_EQ(BULK, r.ret) TH_LOG("recv: %s", strerror(r.err));
	EXPECT_EQ(0, msync(map, BULK, MS_SYNC));
	EXPECT_EQ(0, munmap(map, BULK));
	EXPECT_EQ(BULK, pread(file, back, BULK, 0));
	EXPECT_EQ(0, memcmp(self->pattern, back, BULK));
	if (variant->fam == FAM_TOY)
		EXPECT_EQ(BULK, direct_bytes(_metadata, self, variant) - direct);
	close(file);
}

TEST_HARNESS_MAIN
