// Progress of a training run: on a terminal one line per epoch rewritten in place
// (batch count, running loss, images per second, time left); in a file or pipe,
// plain lines, one per epoch.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace aevb::models {

class Progress {
 public:
  // `drawn`: false keeps the in-place line off even on a terminal (the other processes of an MPI run).
  Progress(int epochs, int64_t batches_per_epoch, bool drawn = true)
      : epochs_(epochs), batches_(batches_per_epoch), terminal_(drawn && isatty(fileno(stdout)) != 0) {}

  void start_epoch(int epoch) {
    epoch_ = epoch;
    epoch_start_ = Clock::now();
  }
  // Called after each batch; redraws at most ten times a second.
  void batch_done(int64_t batch, int64_t images, double running_loss) {
    images_ += images;
    if (!terminal_) return;
    auto now = Clock::now();
    if (batch + 1 < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    std::printf("\r\033[Kepoch %d/%d  batch %lld/%lld  loss %.4f  %.0f images/s  time left %s", epoch_, epochs_,
                static_cast<long long>(batch + 1), static_cast<long long>(batches_), running_loss,
                images_per_second(), format_seconds(seconds_left(batch + 1)).c_str());
    std::fflush(stdout);
  }
  // The epoch's summary line, which stays.
  void end_epoch(const std::string& summary) {
    std::printf("%sepoch %d/%d  %s  %.0f images/s  %.1f s  time left %s\n", terminal_ ? "\r\033[K" : "", epoch_,
                epochs_, summary.c_str(), images_per_second(), epoch_seconds(),
                format_seconds(seconds_left(batches_)).c_str());
    std::fflush(stdout);
    images_ = 0;
    total_seconds_ += epoch_seconds();
    ++epochs_done_;
  }
  double epoch_seconds() const { return std::chrono::duration<double>(Clock::now() - epoch_start_).count(); }
  double images_per_second() const { return images_ / std::max(1e-9, epoch_seconds()); }

  static std::string format_seconds(double seconds) {
    char text[32];
    long s = static_cast<long>(seconds + 0.5);
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    return text;
  }

 private:
  using Clock = std::chrono::steady_clock;
  double seconds_left(int64_t batches_done) const {
    double per_epoch = epochs_done_ > 0
                           ? total_seconds_ / epochs_done_
                           : epoch_seconds() * static_cast<double>(batches_) / std::max<int64_t>(1, batches_done);
    double this_epoch_left = per_epoch * static_cast<double>(batches_ - batches_done) / static_cast<double>(batches_);
    return this_epoch_left + per_epoch * (epochs_ - epoch_);
  }

  int epochs_;
  int64_t batches_;
  int epoch_ = 0, epochs_done_ = 0;
  int64_t images_ = 0;
  double total_seconds_ = 0;
  bool terminal_;
  Clock::time_point epoch_start_ = Clock::now(), last_draw_{};
};

// Progress of a program that runs stages one after another (the inference lab's
// methods): on a terminal, the stage's line redrawn in place with how far it is and its
// time left; then, and in a file or pipe only then, one line per finished stage.
class StageProgress {
 public:
  explicit StageProgress(int stages) : stages_(stages) {}

  void start(const std::string& name) {
    name_ = name;
    ++stage_;
    start_ = Clock::now();
  }
  void update(int64_t done, int64_t total) {
    if (!terminal_ || total <= 0) return;
    const auto now = Clock::now();
    if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const double elapsed = seconds(), left = done > 0 ? elapsed * double(total - done) / double(done) : 0;
    std::printf("\r\033[K[%d/%d] %s  %lld/%lld  %.0f%%  time left %s", stage_, stages_, name_.c_str(),
                static_cast<long long>(done), static_cast<long long>(total), 100.0 * double(done) / double(total),
                Progress::format_seconds(left).c_str());
    std::fflush(stdout);
  }
  void finish(const std::string& summary) {
    std::printf("%s[%d/%d] %s  %s  %.1f s\n", terminal_ ? "\r\033[K" : "", stage_, stages_, name_.c_str(),
                summary.c_str(), seconds());
    std::fflush(stdout);
  }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  int stages_, stage_ = 0;
  std::string name_;
  bool terminal_ = isatty(fileno(stdout)) != 0;
  Clock::time_point start_ = Clock::now(), last_draw_{};
};

}  // namespace aevb::models
