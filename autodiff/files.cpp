#include "autodiff/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <new>

#include "autodiff/error.h"

namespace aevb::files {
namespace {

constexpr const char* kPartialMarker = ".aevb-partial.";

std::string kind_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string system_error(const std::string& what, const std::string& path) {
  return "'" + path + "': " + what + ": " + std::strerror(errno);
}

// Opens a regular file for reading without blocking: a FIFO opened plainly would wait
// for a writer forever, so it is opened non-blocking, checked, then made blocking.
int open_regular(const std::string& path, struct stat& status) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail(system_error("cannot open", path));
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    const std::string kind = kind_of_mode(status.st_mode);
    ::close(fd);
    fail("'", path, "' is ", kind, ", not a regular file");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

// The temporary being written, for the signal handler: a fixed buffer, because a
// handler may not allocate.
char g_partial_path[4096];
std::atomic<bool> g_partial_active{false};

void remove_partial_and_reraise(int signal_number) {
  if (g_partial_active.load()) ::unlink(g_partial_path);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

std::string kind_of(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::string("missing (") + std::strerror(errno) + ")";
  return kind_of_mode(status.st_mode);
}

void require_regular_file(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) fail(system_error("cannot open", path));
  if (!S_ISREG(status.st_mode)) fail("'", path, "' is ", kind_of_mode(status.st_mode), ", not a regular file");
}

uint64_t regular_file_size(const std::string& path) {
  struct stat status {};
  ::close(open_regular(path, status));
  return static_cast<uint64_t>(status.st_size);
}

std::vector<uint8_t> read_regular_file(const std::string& path, uint64_t limit) {
  struct stat status {};
  const int fd = open_regular(path, status);
  const uint64_t size = static_cast<uint64_t>(status.st_size);
  if (size > limit) {
    ::close(fd);
    fail("'", path, "' holds ", size, " bytes, more than the ", limit, " this reader accepts");
  }
  std::vector<uint8_t> bytes;
  try {
    bytes.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    ::close(fd);
    fail("'", path, "': not enough memory to read its ", size, " bytes");
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string message = n == 0 ? "'" + path + "': ended at byte " + std::to_string(done) + " of " +
                                               std::to_string(size) + " while it was read (truncated meanwhile?)"
                                         : system_error("reading failed", path);
      ::close(fd);
      fail(message);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

void write_file_atomically(const std::string& path, const void* bytes, size_t count) {
  const std::string temporary = path + kPartialMarker + std::to_string(::getpid());
  check(temporary.size() < sizeof g_partial_path, "'", path, "': the path is too long");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(system_error("cannot create", temporary), " (writing '", path, "')");
  std::memcpy(g_partial_path, temporary.c_str(), temporary.size() + 1);
  g_partial_active.store(true);
  auto give_up = [&](const std::string& message) {
    ::unlink(temporary.c_str());
    g_partial_active.store(false);
    fail(message, std::filesystem::exists(path) ? " ('" + path + "' is unchanged)" : std::string());
  };
  const auto* data = static_cast<const uint8_t*>(bytes);
  size_t written = 0;
  while (written < count) {
    const ssize_t n = ::write(fd, data + written, count - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      const std::string message = system_error("writing failed", path);
      ::close(fd);
      give_up(message);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string message = system_error("flushing to disk failed", path);
    ::close(fd);
    give_up(message);
  }
  if (::close(fd) != 0) give_up(system_error("closing failed", path));
  if (::rename(temporary.c_str(), path.c_str()) != 0) give_up(system_error("cannot replace", path));
  g_partial_active.store(false);
  // The rename is durable only once the folder's entry is on disk.
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const int folder_fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_fd >= 0) {
    ::fsync(folder_fd);
    ::close(folder_fd);
  }
}

void remove_partial_file_on_signals() {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal_number, remove_partial_and_reraise);
}

bool is_partial_file_name(const std::string& name) { return name.find(kPartialMarker) != std::string::npos; }

void remove_partial_files(const std::string& folder) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error))
    if (is_partial_file_name(entry.path().filename().string())) std::filesystem::remove(entry.path(), error);
}

}  // namespace aevb::files
