// What the studio's server and the training thread share, and nothing else: the
// latest snapshot of the model (a copy, swapped whole), the run's history as events,
// and the controls (pause, resume, stop). Every member is guarded; the server never
// sees the parameters training writes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/studio/studio_model.h"
#include "models/training.h"

namespace aevb::studio {

// The model as it was after one step, never written again once published.
struct Snapshot {
  std::unique_ptr<StudioModel> model;
  uint64_t version = 0;  // 1, 2, ...: a view cached for one version is stale at the next
  int epoch = 0;         // the epoch in progress (or the last one finished)
  int64_t step = 0;      // steps taken
};

// One thing that happened, as a JSON object with "type" and "seq".
struct Event {
  uint64_t seq = 0;
  std::string json;
};

enum class RunPhase { starting, training, paused, stopped, finished, exploring };
const char* to_string(RunPhase phase);

class RunState {
 public:
  explicit RunState(ModelSpec spec);
  const ModelSpec& spec() const { return spec_; }

  // --- the snapshot ---
  std::shared_ptr<const Snapshot> snapshot() const;
  // Copies `model`'s parameters into a new snapshot and publishes it.
  void publish(nn::Module& model, int epoch, int64_t step);

  // --- events: appended by the training thread, read by the server ---
  // `body` is an object; its "type" and "seq" are set here.
  void add_event(const std::string& type, nlohmann::json body);
  // Events after `seq`, waiting up to `wait` for one to come (server-sent events).
  std::vector<Event> events_after(uint64_t seq, std::chrono::milliseconds wait) const;
  // Every epoch line so far (metrics.jsonl's), and the latest running-loss points.
  // The run so far, for a page that opens now: every epoch's metrics line, the latest
  // step events, the last layer statistics, the phase and the description.
  nlohmann::json history() const;
  void add_epoch_line(const std::string& metrics_line);  // also an "epoch" event

  // --- the controls ---
  RunPhase phase() const;
  void set_phase(RunPhase phase);
  // From the server: "pause", "resume" or "stop". Returns "" or why it cannot be done.
  std::string control(const std::string& action);
  // From the training thread: blocks while paused; true once a stop was asked for.
  bool wait_while_paused();
  bool stop_requested() const { return stop_.load(); }
  void request_stop();  // also from a signal handler's watcher
  // The server is going: event streams end.
  void close_events();
  bool events_closed() const { return events_closed_.load(); }

  // --- what the page says about the run ---
  void set_description(nlohmann::json description);

 private:
  ModelSpec spec_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const Snapshot> snapshot_;
  uint64_t next_version_ = 1;
  std::deque<Event> events_;  // the latest kMaxEvents
  uint64_t next_seq_ = 1;
  std::vector<nlohmann::json> epoch_lines_;
  std::deque<nlohmann::json> recent_steps_;  // the latest kMaxSteps
  nlohmann::json layers_;
  RunPhase phase_ = RunPhase::starting;
  std::atomic<bool> stop_{false}, events_closed_{false};
  nlohmann::json description_ = nlohmann::json::object();
};

// The training run's observer: publishes a snapshot at most every `snapshot_interval`
// and at each epoch's end, a step event at most every 100 ms (and every epoch's last
// step), measured layer statistics about once a second, and pauses and stops the run
// as the controls ask.
class StudioObserver : public models::TrainingObserver {
 public:
  StudioObserver(RunState& state, std::chrono::milliseconds snapshot_interval)
      : state_(state), snapshot_interval_(snapshot_interval) {}
  void started(nn::Module& model, const nn::TrainingProgress& done) override;
  bool step_done(const models::StepReport& report, nn::Module& model) override;
  void epoch_done(int epoch, const std::string& metrics_line, nn::Module& model) override;
  bool stop_requested() override;

 private:
  using Clock = std::chrono::steady_clock;
  RunState& state_;
  std::chrono::milliseconds snapshot_interval_;
  Clock::time_point last_snapshot_{}, last_step_event_{}, last_measure_{};
  int64_t last_step_ = 0;
};

}  // namespace aevb::studio
