#include "examples/studio/run_state.h"

#include <cmath>

namespace aevb::studio {
namespace {

constexpr size_t kMaxEvents = 4096;  // a page that falls further behind reloads the history
constexpr size_t kMaxSteps = 2000;

// A number for JSON: NaN and infinities are not JSON, so they travel as null.
nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

}  // namespace

const char* to_string(RunPhase phase) {
  switch (phase) {
    case RunPhase::starting:
      return "starting";
    case RunPhase::training:
      return "training";
    case RunPhase::paused:
      return "paused";
    case RunPhase::stopped:
      return "stopped";
    case RunPhase::finished:
      return "finished";
    case RunPhase::exploring:
      return "exploring";
  }
  return "?";
}

RunState::RunState(ModelSpec spec) : spec_(std::move(spec)) {}

std::shared_ptr<const Snapshot> RunState::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void RunState::publish(nn::Module& model, int epoch, int64_t step) {
  // The copy is made outside the lock: readers keep the old snapshot meanwhile.
  auto next = std::make_shared<Snapshot>();
  next->model = std::make_unique<StudioModel>(spec_);
  next->model->copy_from(model);
  next->epoch = epoch;
  next->step = step;
  uint64_t version;
  {
    std::lock_guard lock(mutex_);
    version = next->version = next_version_++;
    snapshot_ = std::move(next);
  }
  add_event("snapshot", {{"version", version}, {"epoch", epoch}, {"step", step}});
}

void RunState::add_event(const std::string& type, nlohmann::json body) {
  {
    std::lock_guard lock(mutex_);
    body["type"] = type;
    body["seq"] = next_seq_;
    events_.push_back({next_seq_++, body.dump()});
    if (events_.size() > kMaxEvents) events_.pop_front();
    if (type == "step") {
      recent_steps_.push_back(std::move(body));
      if (recent_steps_.size() > kMaxSteps) recent_steps_.pop_front();
    } else if (type == "layers") {
      layers_ = std::move(body);
    }
  }
  changed_.notify_all();
}

std::vector<Event> RunState::events_after(uint64_t seq, std::chrono::milliseconds wait) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return next_seq_ > seq + 1 || events_closed_.load(); });
  std::vector<Event> out;
  for (const Event& event : events_)
    if (event.seq > seq) out.push_back(event);
  return out;
}

nlohmann::json RunState::history() const {
  std::lock_guard lock(mutex_);
  nlohmann::json steps = nlohmann::json::array();
  for (const nlohmann::json& step : recent_steps_) steps.push_back(step);
  return {{"seq", next_seq_ - 1},
          {"phase", to_string(phase_)},
          {"description", description_},
          {"epochs", epoch_lines_},
          {"steps", steps},
          {"layers", layers_},
          {"snapshot", snapshot_ ? snapshot_->version : 0}};
}

void RunState::add_epoch_line(const std::string& metrics_line) {
  nlohmann::json line = nlohmann::json::parse(metrics_line);
  {
    std::lock_guard lock(mutex_);
    epoch_lines_.push_back(line);
  }
  add_event("epoch", {{"metrics", line}});
}

void RunState::set_description(nlohmann::json description) {
  std::lock_guard lock(mutex_);
  description_ = std::move(description);
}

RunPhase RunState::phase() const {
  std::lock_guard lock(mutex_);
  return phase_;
}

void RunState::set_phase(RunPhase phase) {
  {
    std::lock_guard lock(mutex_);
    phase_ = phase;
  }
  changed_.notify_all();
  add_event("phase", {{"phase", to_string(phase)}});
}

std::string RunState::control(const std::string& action) {
  RunPhase now = phase();
  if (now != RunPhase::training && now != RunPhase::paused)
    return std::string("nothing is training (the run is ") + to_string(now) + ")";
  if (action == "pause") {
    if (now == RunPhase::training) set_phase(RunPhase::paused);
  } else if (action == "resume") {
    if (now == RunPhase::paused) set_phase(RunPhase::training);
  } else if (action == "stop") {
    request_stop();
  }
  return "";
}

bool RunState::wait_while_paused() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return phase_ != RunPhase::paused || stop_.load(); });
  return stop_.load();
}

void RunState::request_stop() {
  stop_.store(true);
  changed_.notify_all();
}

void RunState::close_events() {
  events_closed_.store(true);
  changed_.notify_all();
}

// --- the observer ---------------------------------------------------------------------

void StudioObserver::started(nn::Module& model, const nn::TrainingProgress& done) {
  state_.publish(model, static_cast<int>(done.epoch), static_cast<int64_t>(done.step));
  last_snapshot_ = last_measure_ = Clock::now();
  state_.set_phase(RunPhase::training);
}

bool StudioObserver::step_done(const models::StepReport& report, nn::Module& model) {
  const Clock::time_point now = Clock::now();
  last_step_ = report.step + 1;
  const bool last_of_epoch = report.batch_index + 1 == report.batches_per_epoch;
  if (report.layers != nullptr) {
    nlohmann::json tensors = nlohmann::json::array();
    for (size_t p = 0; p < report.layers->names.size(); ++p)
      tensors.push_back({{"name", report.layers->names[p]},
                         {"gradient_norm", number(report.layers->gradient_norm[p])},
                         {"weight_norm", number(report.layers->weight_norm[p])},
                         {"update_ratio", number(report.layers->update_ratio[p])}});
    state_.add_event("layers", {{"step", report.step + 1}, {"epoch", report.epoch}, {"tensors", tensors}});
  }
  if (last_of_epoch || now - last_step_event_ >= std::chrono::milliseconds(100)) {
    last_step_event_ = now;
    const double epoch_fraction =
        static_cast<double>(report.batch_index + 1) / static_cast<double>(report.batches_per_epoch);
    state_.add_event("step", {{"epoch", report.epoch},
                              {"batch", report.batch_index + 1},
                              {"batches", report.batches_per_epoch},
                              {"step", report.step + 1},
                              {"x", report.epoch - 1 + epoch_fraction},
                              {"loss", number(report.loss)},
                              {"running_loss", number(report.running_loss)},
                              {"reconstruction", number(report.reconstruction)},
                              {"kl", number(report.kl)}});
  }
  if (now - last_snapshot_ >= snapshot_interval_) {
    state_.publish(model, report.epoch, report.step + 1);
    last_snapshot_ = Clock::now();
  }
  state_.wait_while_paused();
  const bool measure = now - last_measure_ >= std::chrono::seconds(1);
  if (measure) last_measure_ = now;
  return measure;
}

void StudioObserver::epoch_done(int epoch, const std::string& metrics_line, nn::Module& model) {
  state_.add_epoch_line(metrics_line);
  state_.publish(model, epoch, last_step_);
  last_snapshot_ = Clock::now();
}

bool StudioObserver::stop_requested() { return state_.stop_requested(); }

}  // namespace aevb::studio
