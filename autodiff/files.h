// Files as every aevb library and program reads and writes them.
//
// Reading: only regular files are opened (a named pipe would block forever, a device
// such as /dev/zero never ends, a folder is no file), each is checked against a size
// limit before a byte is read, and every failure names the file.
// Writing: atomic and checked. The bytes go to a temporary in the same folder, which is
// flushed to disk and renamed over the target, so a reader, a crash or a full disk sees
// the old file or the new one, never a part; a failed write throws naming the file and
// leaves the old one as it was.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aevb::files {

// "a regular file", "a folder", "a named pipe (FIFO)", ... for messages.
std::string kind_of(const std::string& path);

// Throws unless `path` is a regular file (links followed), naming what it is instead.
void require_regular_file(const std::string& path);

// The file's size in bytes, after require_regular_file.
uint64_t regular_file_size(const std::string& path);

// The whole of a regular file of at most `limit` bytes; throws naming the file when it
// is not a regular file, is larger, or cannot be read.
std::vector<uint8_t> read_regular_file(const std::string& path, uint64_t limit);

// Writes `bytes` to `path` atomically (see above).
void write_file_atomically(const std::string& path, const void* bytes, size_t count);
inline void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, text.data(), text.size());
}
inline void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomically(path, bytes.data(), bytes.size());
}

// Temporaries are named "<target>.aevb-partial.<pid>". A signal (SIGINT, SIGTERM, SIGHUP)
// that arrives during a write removes the one in flight once this is called (programs
// call it at start); one left by SIGKILL is removed by remove_partial_files, which the
// next run calls on its folder once it holds the folder's lock.
void remove_partial_file_on_signals();
bool is_partial_file_name(const std::string& name);
void remove_partial_files(const std::string& folder);

}  // namespace aevb::files
