#include "autodiff/subprocess.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "autodiff/error.h"

extern char** environ;

namespace aevb {

ProgramRun run_program(const std::vector<std::string>& argv, const std::string& working_folder) {
  check(!argv.empty(), "run_program: no program named");
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) fail("run_program: cannot make a pipe: ", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, error_pipe[1], 2);
  if (!working_folder.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_folder.c_str());
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, arguments[0], &actions, nullptr, arguments.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(error_pipe[1]);

  ProgramRun run;
  if (spawned != 0) {
    ::close(error_pipe[0]);
    if (spawned == ENOENT) return run;  // not installed
    fail("cannot run ", argv[0], ": ", std::strerror(spawned));
  }
  run.found = true;
  char buffer[4096];
  for (ssize_t n; (n = ::read(error_pipe[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (run.errors.size() < sizeof buffer) run.errors.append(buffer, static_cast<size_t>(n));
  }
  ::close(error_pipe[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR) fail("run_program: waiting for ", argv[0], ": ", std::strerror(errno));
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace aevb
