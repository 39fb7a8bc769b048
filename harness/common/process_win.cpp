// Child processes on Windows: CreateProcess with stdout and stdin pipes, the stop request of
// stop_request.hpp, TerminateProcess, GetProcessTimes / GetProcessMemoryInfo.
#include <windows.h>
// after windows.h
#include <io.h>
#include <psapi.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "process.hpp"
#include "process_native.hpp"
#include "stop_request.hpp"

namespace weft::harness {

Child::Native::~Native() {
  if (out) CloseHandle(out);
  if (in) CloseHandle(in);
  if (process) CloseHandle(process);
}

namespace {

std::string lastError(const std::string& what) {
  return what + ": error " + std::to_string(GetLastError());
}

// TerminateProcess needs an exit code; 128 + SIGKILL is what a POSIX shell would show.
constexpr UINT kKilledExitCode = 137;

DWORD toMs(Seconds s) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
  return ms < 0 ? 0 : ms >= INFINITE ? INFINITE - 1 : static_cast<DWORD>(ms);
}

// One argument quoted the way the C runtime's argv parser (CommandLineToArgvW) splits it:
// backslashes are literal except before a quote, where they double.
void appendQuoted(std::string& cmd, const std::string& arg) {
  if (!cmd.empty()) cmd += ' ';
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos) {
    cmd += arg;
    return;
  }
  cmd += '"';
  size_t slashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++slashes;
      continue;
    }
    cmd.append(c == '"' ? 2 * slashes + 1 : slashes, '\\');
    slashes = 0;
    cmd += c;
  }
  cmd.append(2 * slashes, '\\');
  cmd += '"';
}

// An inheritable handle for a child's standard stream; null on failure.
HANDLE inheritableCopy(HANDLE h) {
  if (!h || h == INVALID_HANDLE_VALUE) return nullptr;
  HANDLE copy = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, 0, TRUE,
                       DUPLICATE_SAME_ACCESS)) {
    return nullptr;
  }
  return copy;
}

HANDLE openInheritable(const std::string& path, bool write) {
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  std::string p = path == "/dev/null" ? "NUL" : path;
  HANDLE h = CreateFileA(p.c_str(), write ? GENERIC_WRITE : GENERIC_READ,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
                         write ? CREATE_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  return h == INVALID_HANDLE_VALUE ? nullptr : h;
}

// The handles a child inherits, closed in the parent once the child has its copies.
struct ChildStdio {
  HANDLE in = nullptr, out = nullptr, err = nullptr;
  ChildStdio() = default;
  ChildStdio(const ChildStdio&) = delete;
  ChildStdio& operator=(const ChildStdio&) = delete;
  ~ChildStdio() {
    for (HANDLE h : {in, out, err})
      if (h) CloseHandle(h);
  }
};

}  // namespace

void Child::release() {
  if (!n_) return;
  if (!status_) {
    TerminateProcess(n_->process, kKilledExitCode);
    WaitForSingleObject(n_->process, INFINITE);
  }
  n_.reset();
}

long Child::readSome(Seconds timeout) {
  if (!n_ || !n_->out) return 0;
  // Anonymous pipes have no overlapped reads to wait on with a timeout: peek, nap, retry.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto nap = std::chrono::milliseconds(1);
  for (;;) {
    DWORD avail = 0;
    if (!PeekNamedPipe(n_->out, nullptr, 0, nullptr, &avail, nullptr)) return 0;  // EOF
    if (avail > 0) {
      char buf[65536];
      DWORD n = 0;
      if (!ReadFile(n_->out, buf, std::min<DWORD>(avail, sizeof buf), &n, nullptr) || n == 0) {
        return 0;
      }
      pending_.append(buf, n);
      return static_cast<long>(n);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::milliseconds(10));
  }
}

bool Child::writeStdin(std::string_view text) {
  if (!n_ || !n_->in) return false;
  while (!text.empty()) {
    DWORD n = 0;
    DWORD chunk = static_cast<DWORD>(std::min<size_t>(text.size(), 1 << 20));
    if (!WriteFile(n_->in, text.data(), chunk, &n, nullptr)) return false;
    text.remove_prefix(n);
  }
  return true;
}

void Child::closeStdin() {
  if (n_ && n_->in) {
    CloseHandle(n_->in);
    n_->in = nullptr;
  }
}

std::optional<int> Child::wait(Seconds timeout) {
  if (status_) return status_;
  if (!n_) return std::nullopt;
  if (WaitForSingleObject(n_->process, toMs(timeout)) != WAIT_OBJECT_0) return std::nullopt;
  DWORD code = 0;
  if (!GetExitCodeProcess(n_->process, &code)) return std::nullopt;
  status_ = static_cast<int>(code);
  return status_;
}

bool Child::requestStop() {
  return running() && weft::harness::requestStop(n_->pid);
}

void Child::kill() {
  if (running()) TerminateProcess(n_->process, kKilledExitCode);
}

// Every child goes into one job that kills its processes when its last handle closes, which
// is when weft exits or is killed (POSIX: PR_SET_PDEATHSIG), so a killed `weft check` or
// `weft bench` leaves no server behind. Best effort: without the job, children still run.
namespace {
HANDLE killOnCloseJob() {
  static HANDLE job = [] {
    HANDLE j = CreateJobObjectA(nullptr, nullptr);
    if (!j) return HANDLE(nullptr);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(j, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
      CloseHandle(j);
      return HANDLE(nullptr);
    }
    return j;  // never closed: the process's exit closes it
  }();
  return job;
}
}  // namespace

Child spawn(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) return Child::failed("no program to run");
  std::string cmd;
  for (const auto& a : argv) appendQuoted(cmd, a);

  // The child inherits exactly these three (every spawn happens on one thread, and each
  // inheritable handle is closed right after CreateProcess, so no other child gets them).
  ChildStdio stdio;
  HANDLE readEnd = nullptr, writeEnd = nullptr;  // our ends of stdout and stdin
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  if (opts.captureStdout) {
    // 64 KiB: a child that writes more than the pipe holds before we read would block.
    if (!CreatePipe(&readEnd, &stdio.out, &sa, 1 << 16))
      return Child::failed(lastError("CreatePipe"));
    SetHandleInformation(readEnd, HANDLE_FLAG_INHERIT, 0);
  } else {
    stdio.out = inheritableCopy(GetStdHandle(STD_OUTPUT_HANDLE));
  }
  stdio.err = opts.stderrPath.empty() ? inheritableCopy(GetStdHandle(STD_ERROR_HANDLE))
                                      : openInheritable(opts.stderrPath, true);
  if (opts.pipeStdin) {
    if (!CreatePipe(&stdio.in, &writeEnd, &sa, 1 << 16)) {
      std::string why = lastError("CreatePipe");
      if (readEnd) CloseHandle(readEnd);
      return Child::failed(why);
    }
    SetHandleInformation(writeEnd, HANDLE_FLAG_INHERIT, 0);
  } else {
    stdio.in = openInheritable("NUL", false);
  }

  STARTUPINFOA si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = stdio.in;
  si.hStdOutput = stdio.out;
  si.hStdError = stdio.err;
  PROCESS_INFORMATION pi{};
  const DWORD flags = CREATE_SUSPENDED;  // pinned and put in the job before it runs
  // Wine 8 now and then fails CreateProcess with ERROR_INTERNAL_ERROR: the new process died
  // in Wine's own start-up, before any of its code ran (here about one start in a thousand
  // in `weft check`), and the same call succeeds right after. Any other error is final.
  BOOL ok = FALSE;
  for (int attempt = 0; attempt < 3 && !ok; ++attempt) {
    if (attempt > 0) {
      if (GetLastError() != ERROR_INTERNAL_ERROR) break;
      std::fprintf(stderr, "weft: CreateProcess failed with ERROR_INTERNAL_ERROR; retrying\n");
      Sleep(20);
    }
    ok = CreateProcessA(argv[0].c_str(), cmd.data(), nullptr, nullptr, TRUE, flags, nullptr,
                        nullptr, &si, &pi);
  }
  if (!ok) {
    std::string why = lastError("CreateProcess " + argv[0]);
    if (readEnd) CloseHandle(readEnd);
    if (writeEnd) CloseHandle(writeEnd);
    return Child::failed(why);
  }
  if (opts.cpu >= 0 && opts.cpu < 64) SetProcessAffinityMask(pi.hProcess, DWORD_PTR(1) << opts.cpu);
  if (HANDLE job = killOnCloseJob()) AssignProcessToJobObject(job, pi.hProcess);
  ResumeThread(pi.hThread);
  CloseHandle(pi.hThread);
  auto n = std::make_unique<Child::Native>();
  n->process = pi.hProcess;
  n->out = readEnd;
  n->in = writeEnd;
  n->pid = pi.dwProcessId;
  return Child(std::move(n));
}

std::string describeStatus(int status) {
  if (status == kUnknownStatus) return "unknown";
  auto code = static_cast<DWORD>(status);
  if (code == kKilledExitCode) return "terminated (TerminateProcess)";
  if (code >= 0xC0000000) {  // an NTSTATUS: the process died of an exception
    char buf[32];
    std::snprintf(buf, sizeof buf, "exception 0x%08lX", static_cast<unsigned long>(code));
    return buf;
  }
  return "exit " + std::to_string(code);
}

bool exitedWith(int status, int code) {
  return status != kUnknownStatus && status == code;
}

ProcessId currentProcessId() {
  return GetCurrentProcessId();
}

bool pinToCpu(int cpu) {
  if (cpu < 0) return true;
  if (cpu >= 64) return false;
  return SetProcessAffinityMask(GetCurrentProcess(), DWORD_PTR(1) << cpu);
}

int cpuCount() {
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

void raiseFdLimit() {}

bool stderrIsTerminal() {
  return _isatty(_fileno(stderr));
}

std::optional<ProcStats> readProcStats(ProcessId pid) {
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  if (!h) return std::nullopt;
  ProcStats s;
  FILETIME created, exited, kernel, user;
  PROCESS_MEMORY_COUNTERS mem{};
  mem.cb = sizeof mem;
  bool ok = GetProcessTimes(h, &created, &exited, &kernel, &user) &&
            GetProcessMemoryInfo(h, &mem, sizeof mem);
  CloseHandle(h);
  if (!ok) return std::nullopt;
  auto ticks = [](FILETIME t) { return (ULONGLONG(t.dwHighDateTime) << 32) | t.dwLowDateTime; };
  s.cpuSeconds = double(ticks(kernel) + ticks(user)) / 1e7;  // 100 ns units
  s.vmRssKb = static_cast<long>(mem.WorkingSetSize / 1024);
  s.vmHwmKb = static_cast<long>(mem.PeakWorkingSetSize / 1024);
  return s;
}

std::string selfExe() {
  std::string buf(MAX_PATH, '\0');
  for (;;) {
    DWORD n = GetModuleFileNameA(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
    if (n == 0) return {};
    if (n < buf.size()) return buf.substr(0, n);
    buf.resize(buf.size() * 2);
  }
}

}  // namespace weft::harness
