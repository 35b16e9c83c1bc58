#include "models/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autodiff/error.h"
#include "autodiff/files.h"

namespace aevb::models {
namespace {
namespace fs = std::filesystem;

// The process that holds an flock on the file with this inode, from /proc/locks
// ("1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF"), as "process 4242 (train_vae)".
std::string lock_holder(ino_t inode) {
  std::ifstream locks("/proc/locks");
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string number, kind, advisory, mode, pid, device;
    fields >> number >> kind >> advisory >> mode >> pid >> device;
    if (kind != "FLOCK") continue;
    const size_t colon = device.rfind(':');
    if (colon == std::string::npos || device.substr(colon + 1) != std::to_string(inode)) continue;
    std::string name;
    std::ifstream(std::string("/proc/") + pid + "/comm") >> name;
    return "process " + pid + (name.empty() ? "" : " (" + name + ")");
  }
  return "another process";
}

}  // namespace

void RunFolder::check_usable(const std::string& path, const std::vector<std::string>& names_written) {
  if (path.empty()) refuse("--out: must name a folder (it is empty)");
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) refuse("--out: '", path, "' is ", files::kind_of(path), ", not a folder");
    if (::access(path.c_str(), W_OK | X_OK) != 0)
      refuse("--out: cannot write into '", path, "': ", std::strerror(errno));
    for (const std::string& name : names_written) {
      const fs::path inside = fs::path(path) / name;
      if (fs::is_directory(fs::symlink_status(inside, error)))
        refuse("--out: '", inside.string(), "' is a folder, where this run writes a file");
    }
    return;
  }
  // It will be created: the nearest ancestor that exists must be a folder we can write in.
  fs::path ancestor = fs::absolute(fs::path(path), error).parent_path();
  while (!ancestor.empty() && !fs::exists(ancestor, error) && ancestor != ancestor.root_path())
    ancestor = ancestor.parent_path();
  if (!fs::is_directory(ancestor, error))
    refuse("--out: cannot create '", path, "': '", ancestor.string(), "' is ", files::kind_of(ancestor.string()),
           ", not a folder");
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    refuse("--out: cannot create '", path, "' in '", ancestor.string(), "': ", std::strerror(errno));
}

RunFolder::RunFolder(const std::string& path, const std::string& program) : path_(path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) fail("--out: cannot create '", path, "': ", error.message());
  lock_fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) fail("--out: cannot open '", path, "': ", std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    struct stat status {};
    ::fstat(lock_fd_, &status);
    const std::string holder = errno == EWOULDBLOCK ? lock_holder(status.st_ino) : std::string(std::strerror(errno));
    ::close(lock_fd_);
    lock_fd_ = -1;
    refuse("--out: '", path, "' is in use by ", holder, "; one ", program, " run per folder");
  }
  files::remove_partial_files(path);
}

RunFolder::~RunFolder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::string RunFolder::path(const std::string& name) const { return (fs::path(path_) / name).string(); }

void RunFolder::write(const std::string& name, const std::string& bytes) const {
  files::write_file_atomically(path(name), bytes);
}

void RunFolder::write(const std::string& name, const std::vector<unsigned char>& bytes) const {
  files::write_file_atomically(path(name), bytes);
}

}  // namespace aevb::models
