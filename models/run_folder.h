// The output folder of a run (--out): checked before anything is written, then claimed
// by one run at a time, then written only atomically.
//
//   RunFolder::check_usable(out, names)   touches nothing; refuses (InputError, naming
//                                          --out) a path that is not a folder or cannot
//                                          become one, or a name to be written that is
//                                          a folder inside it
//   RunFolder folder(out, "train_vae");   creates it, takes its lock (flock on the
//                                          folder itself: no file is added), and removes
//                                          temporaries a killed run left; a second run
//                                          on the same folder is refused naming the
//                                          process that holds it
//   folder.write("metrics.jsonl", text)   atomic: the old file or the new one, never a part
#pragma once

#include <string>
#include <vector>

namespace aevb::models {

class RunFolder {
 public:
  static void check_usable(const std::string& path, const std::vector<std::string>& names_written);

  RunFolder(const std::string& path, const std::string& program);
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  std::string path(const std::string& name) const;
  void write(const std::string& name, const std::string& bytes) const;
  void write(const std::string& name, const std::vector<unsigned char>& bytes) const;

 private:
  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace aevb::models
