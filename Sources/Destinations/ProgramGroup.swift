import CSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run of a `command` destination's program, in a process group of its own, so that
/// `post.timeout` holds for everything it starts (docs/SPEC.md §8):
///
/// - at the timeout the whole group gets SIGTERM, and SIGKILL `grace` seconds later;
/// - when the program exits, whatever it left running in its group is killed, and its pipes
///   are read for at most `grace` more seconds (a child that escaped the group may hold them);
/// - its stdin is written without blocking: a program that reads nothing gets EPIPE on our
///   side, which only ends the writing (its exit status still decides);
/// - at most `keptOutput` bytes of stdout and of stderr are kept; the rest is read and dropped,
///   so a chatty program never blocks and never fills memory.
///
/// Foundation's `Process` can neither start a process group nor stop waiting on a pipe a
/// leftover child inherited, hence posix_spawn.
struct ProgramGroup: Sendable {
    /// Bytes of stdout and of stderr kept (README, "The ledger and its states").
    static let keptOutput = 64 * 1024
    /// Seconds between SIGTERM and SIGKILL, and the most the pipes are read after the program exited.
    static let grace = 2.0

    var path: String
    var arguments: [String]
    var environment: [String: String]
    var directory: String
    var input: Data
    var timeout: Double

    enum Status: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    struct Ending: Sendable {
        var status: Status
        /// Whether it was still running at the timeout, and so was sent SIGTERM.
        var stopped: Bool
        var stdout: Data
        var stderr: Data
    }

    struct SpawnError: Error {
        var reason: String
    }

    /// Runs the program to its end, on a thread of its own: the loop blocks in poll(2).
    func run() async -> Result<Ending, SpawnError> {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: runBlocking()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func runBlocking() -> Result<Ending, SpawnError> {
        // [read end, write end] each; ours are stdin's write end and the others' read ends.
        var stdin: [Int32] = [-1, -1], stdout: [Int32] = [-1, -1], stderr: [Int32] = [-1, -1]
        guard pipe(&stdin) == 0 else { return .failure(SpawnError(reason: Self.errorText(errno))) }
        guard pipe(&stdout) == 0 else {
            let error = errno
            stdin.forEach { close($0) }
            return .failure(SpawnError(reason: Self.errorText(error)))
        }
        guard pipe(&stderr) == 0 else {
            let error = errno
            (stdin + stdout).forEach { close($0) }
            return .failure(SpawnError(reason: Self.errorText(error)))
        }
        for fd in stdin + stdout + stderr { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let spawned = spawn(stdin: stdin[0], stdout: stdout[1], stderr: stderr[1])
        [stdin[0], stdout[1], stderr[1]].forEach { close($0) }
        let ours = [stdin[1], stdout[0], stderr[0]]
        guard case .success(let pid) = spawned else {
            ours.forEach { close($0) }
            if case .failure(let error) = spawned { return .failure(error) }
            return .failure(SpawnError(reason: "not started"))
        }
        for fd in ours { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return .success(supervise(pid, stdin: stdin[1], stdout: stdout[0], stderr: stderr[0]))
    }

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        guard syn_spawn_addchdir(&actions, directory) == 0 else {
            return .failure(SpawnError(reason: "cannot set the folder it runs in"))
        }
        // Nothing else of this process (the ledger, the post lock, connections) reaches the
        // program: a leftover child holding the lock would stop every later run.
        guard syn_spawn_addclosefrom(&actions, 3) == 0 else {
            return .failure(SpawnError(reason: "cannot close the descriptors it must not inherit"))
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Syndicate ignores SIGPIPE; the program gets the usual behaviour back, and no blocked signals.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        return code == 0 ? .success(pid) : .failure(SpawnError(reason: Self.errorText(code)))
    }

    /// Feeds stdin, drains stdout and stderr, and enforces the timeout until the program has
    /// ended and its pipes are closed (or `grace` has passed since it ended).
    private func supervise(_ pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) -> Ending {
        var inputFD = stdin, outFD = stdout, errFD = stderr
        var written = 0
        var out = Data(), err = Data()
        var status: Status?
        var stopped = false, killed = false
        let start = Self.now()
        var endedAt = 0.0, stoppedAt = 0.0
        var buffer = [UInt8](repeating: 0, count: 65536)

        func closeFD(_ fd: inout Int32) {
            if fd >= 0 { close(fd) }
            fd = -1
        }
        while true {
            let now = Self.now()
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    status = raw & 0x7f == 0 ? .exited((raw >> 8) & 0xff) : .signaled(raw & 0x7f)
                    endedAt = now
                    // What it left behind ends with it. The group's id cannot be reused while
                    // a member is left, so this reaches none but its own.
                    kill(-pid, SIGKILL)
                    closeFD(&inputFD)
                } else if !stopped, now - start >= timeout {
                    kill(-pid, SIGTERM)
                    stopped = true
                    stoppedAt = now
                } else if stopped, !killed, now - stoppedAt >= Self.grace {
                    kill(-pid, SIGKILL)
                    killed = true
                }
            }
            if status != nil && (outFD < 0 && errFD < 0 || now - endedAt >= Self.grace) { break }

            var fds = [pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0),
                       pollfd(fd: outFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
            // A negative descriptor is skipped by poll(2); the short wait keeps waitpid and
            // the clock checked.
            _ = poll(&fds, nfds_t(fds.count), 20)
            if inputFD >= 0, fds[0].revents != 0 {
                let count = input.withUnsafeBytes { bytes in
                    write(inputFD, bytes.baseAddress.map { $0 + written }, bytes.count - written)
                }
                if count > 0 { written += count }
                // EPIPE (it stopped reading) or done: the rest is the program's business.
                if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) { closeFD(&inputFD) }
            }
            for (index, fd) in [(1, outFD), (2, errFD)] where fd >= 0 && fds[index].revents != 0 {
                let count = read(fd, &buffer, buffer.count)
                if count > 0 {
                    let keep = min(count, Self.keptOutput - (index == 1 ? out.count : err.count))
                    if keep > 0 {
                        if index == 1 { out.append(buffer, count: keep) } else { err.append(buffer, count: keep) }
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    if index == 1 { closeFD(&outFD) } else { closeFD(&errFD) }
                }
            }
        }
        closeFD(&inputFD)
        closeFD(&outFD)
        closeFD(&errFD)
        return Ending(status: status ?? .signaled(SIGKILL), stopped: stopped, stdout: out, stderr: err)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
