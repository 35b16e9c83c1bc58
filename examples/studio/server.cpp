#include "examples/studio/server.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "autodiff/error.h"
#include "autodiff/inspect.h"
#include "autodiff/kernels/gemm.h"

namespace aevb::studio {
namespace {

using Clock = std::chrono::steady_clock;

// --- refusals -------------------------------------------------------------------------

// A request parameter that is not what the endpoint accepts.
struct BadRequest {
  std::string field, problem, accepts;
};

void send_json(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& response, int status, const std::string& error, const std::string& field = "",
                const std::string& accepts = "") {
  nlohmann::json body = {{"error", error}};
  if (!field.empty()) body["field"] = field;
  if (!accepts.empty()) body["accepts"] = accepts;
  send_json(response, status, body);
}

// A request's parameters, each checked: unknown or repeated ones, and values out of
// range, not finite or not numbers, are refused with the field named.
class Query {
 public:
  Query(const httplib::Request& request, std::initializer_list<const char*> accepted) : request_(request) {
    std::string names;
    for (const char* name : accepted) names += std::string(names.empty() ? "" : ", ") + name;
    for (const auto& [name, value] : request.params) {
      bool known = false;
      for (const char* a : accepted) known = known || name == a;
      if (!known)
        throw BadRequest{name, "is not a parameter of " + request.path,
                         names.empty() ? "no parameters" : "the parameters " + names};
      if (request.params.count(name) > 1) throw BadRequest{name, "is given more than once", "one value"};
    }
  }
  bool has(const char* name) const { return request_.has_param(name); }

  double number(const char* name, double low, double high) const {
    const std::string accepts = "a finite number in [" + text(low) + ", " + text(high) + "]";
    if (!has(name)) throw BadRequest{name, "is missing", accepts};
    return parse_number(name, request_.get_param_value(name), low, high, accepts);
  }
  int64_t integer(const char* name, int64_t low, int64_t high, std::optional<int64_t> fallback = {}) const {
    const std::string accepts = "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
    if (!has(name)) {
      if (fallback) return *fallback;
      throw BadRequest{name, "is missing", accepts};
    }
    const std::string value = request_.get_param_value(name);
    int64_t parsed = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (error != std::errc() || end != value.data() + value.size() || value.empty())
      throw BadRequest{name, "'" + clipped(value) + "' is not an integer", accepts};
    if (parsed < low || parsed > high) throw BadRequest{name, std::to_string(parsed) + " is out of range", accepts};
    return parsed;
  }
  // A comma-separated list of exactly `count` numbers in [low, high].
  std::vector<float> numbers(const char* name, int64_t count, double low, double high) const {
    const std::string accepts =
        std::to_string(count) + " comma-separated finite numbers in [" + text(low) + ", " + text(high) + "]";
    const std::string value = request_.get_param_value(name);
    std::vector<float> out;
    size_t start = 0;
    while (start <= value.size() && static_cast<int64_t>(out.size()) <= count) {
      const size_t comma = std::min(value.find(',', start), value.size());
      out.push_back(static_cast<float>(parse_number(name, value.substr(start, comma - start), low, high, accepts)));
      start = comma + 1;
    }
    if (static_cast<int64_t>(out.size()) != count)
      throw BadRequest{name, "has " + std::to_string(out.size()) + " numbers", accepts};
    return out;
  }
  std::string choice(const char* name, const std::set<std::string>& options) const {
    std::string accepts;
    for (const std::string& o : options) accepts += (accepts.empty() ? "one of " : ", ") + o;
    if (!has(name)) throw BadRequest{name, "is missing", accepts};
    const std::string value = request_.get_param_value(name);
    if (!options.count(value)) throw BadRequest{name, "'" + clipped(value) + "' is not accepted", accepts};
    return value;
  }

 private:
  static std::string text(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  }
  static std::string clipped(const std::string& value) {
    return value.size() > 40 ? value.substr(0, 40) + "..." : value;
  }
  static double parse_number(const char* name, const std::string& value, double low, double high,
                             const std::string& accepts) {
    double parsed = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (value.empty() || error != std::errc() || end != value.data() + value.size())
      throw BadRequest{name, "'" + clipped(value) + "' is not a number", accepts};
    if (!std::isfinite(parsed)) throw BadRequest{name, "'" + clipped(value) + "' is not finite", accepts};
    if (parsed < low || parsed > high) throw BadRequest{name, clipped(value) + " is out of range", accepts};
    return parsed;
  }
  const httplib::Request& request_;
};

// Runs an endpoint, turning a BadRequest into 400 and anything else into 500.
template <class Handler>
httplib::Server::Handler endpoint(Handler handler) {
  return [handler](const httplib::Request& request, httplib::Response& response) {
    try {
      handler(request, response);
    } catch (const BadRequest& bad) {
      send_error(response, 400, bad.field + ": " + bad.problem, bad.field, bad.accepts);
    } catch (const std::exception& error) {
      send_error(response, 500, error.what());
    }
  };
}

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "192.0.2.7:8080" or "[::1]:8080" with this port: an IP address, never a name.
bool is_address_with_port(const std::string& host, const std::string& port) {
  const std::string suffix = ":" + port;
  if (host.size() <= suffix.size() || host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  std::string address = host.substr(0, host.size() - suffix.size());
  unsigned char bytes[16];
  if (address.size() > 2 && address.front() == '[' && address.back() == ']')
    return ::inet_pton(AF_INET6, address.substr(1, address.size() - 2).c_str(), bytes) == 1;
  return ::inet_pton(AF_INET, address.c_str(), bytes) == 1;
}

// A coordinate on the latent plane: wide enough for any trained code, and small
// enough that the decoder's arithmetic stays finite.
constexpr double kCoordinateLimit = 100.0;

}  // namespace

std::map<std::string, Asset> load_assets(const ServerOptions& options) {
  const std::pair<const char*, std::pair<std::string, const char*>> files[] = {
      {"/", {options.web_folder + "/index.html", "text/html; charset=utf-8"}},
      {"/studio.js", {options.web_folder + "/studio.js", "text/javascript; charset=utf-8"}},
      {"/studio.css", {options.web_folder + "/studio.css", "text/css; charset=utf-8"}},
      {"/vendor/uPlot.iife.min.js",
       {options.vendor_folder + "/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"}},
      {"/vendor/uPlot.min.css", {options.vendor_folder + "/uplot/dist/uPlot.min.css", "text/css; charset=utf-8"}},
  };
  std::map<std::string, Asset> assets;
  for (const auto& [route, file] : files) {
    std::string content = read_file(file.first);
    if (content.empty())
      refuse("aevb-studio: the page's file '", file.first,
             "' is missing or empty (bash examples/setup.sh runs npm ci in examples/studio)");
    assets[route] = {std::move(content), file.second};
  }
  return assets;
}

StudioServer::StudioServer(RunState& state, ImageRows train, ImageRows test, ServerOptions options)
    : state_(state),
      train_(std::move(train)),
      test_(std::move(test)),
      options_(std::move(options)),
      compute_slots_(std::clamp<std::ptrdiff_t>(std::thread::hardware_concurrency(), 1, 64)) {
  assets_ = load_assets(options_);
  const int threads = options_.threads;
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server_.set_payload_max_length(4096);
  server_.set_tcp_nodelay(true);  // small answers go at once, not after a delayed ACK (40 ms)
  // Debian's cpp-httplib listens with a backlog of 5: 200 clients connecting at once
  // would wait out SYN retries (up to a minute). The socket is kept to listen again
  // with the system's largest backlog once bound.
  server_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening_socket_ = sock;
  });
  routes();
}

StudioServer::~StudioServer() { stop(); }

bool StudioServer::bind(std::string& error) {
  bool bound = false;
  if (options_.port == 0) {
    port_ = server_.bind_to_any_port(options_.host);
    bound = port_ > 0;
  } else if (server_.bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
    bound = true;
  }
  if (bound) {
    if (listening_socket_ >= 0) ::listen(listening_socket_, SOMAXCONN);
    return true;
  }
  error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
          " (in use, or not an address of this machine)";
  return false;
}

std::string StudioServer::address() const {
  const bool v6 = options_.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(port_) + "/";
}

void StudioServer::serve() { server_.listen_after_bind(); }

void StudioServer::stop() {
  state_.close_events();
  server_.stop();
}

std::shared_ptr<const LatentView> StudioServer::latent(const Snapshot& snapshot) {
  std::lock_guard lock(cache_mutex_);
  if (!latent_ || latent_version_ != snapshot.version) {
    latent_ = std::make_shared<const LatentView>(computing([&] { return latent_view(*snapshot.model, test_); }));
    latent_version_ = snapshot.version;
  }
  return latent_;
}

LatentPlane StudioServer::plane(const Snapshot& snapshot) {
  {
    std::lock_guard lock(cache_mutex_);
    if (latent_) return latent_->plane;
  }
  return latent(snapshot)->plane;
}

std::shared_ptr<const std::string> StudioServer::pictures_of(const Snapshot& snapshot) {
  std::lock_guard lock(cache_mutex_);
  if (!pictures_ || pictures_version_ != snapshot.version) {
    nlohmann::json body = computing([&] { return pictures(*snapshot.model, test_, 8, 1); });
    body["version"] = snapshot.version;
    body["epoch"] = snapshot.epoch;
    pictures_ = std::make_shared<const std::string>(body.dump());
    pictures_version_ = snapshot.version;
  }
  return pictures_;
}

std::shared_ptr<const std::string> StudioServer::posterior(const Snapshot& snapshot, int64_t image) {
  std::lock_guard lock(posterior_mutex_);
  if (auto found = posteriors_.find(image);
      found != posteriors_.end() &&
      (found->second.version == snapshot.version || Clock::now() - found->second.made < std::chrono::seconds(5)))
    return found->second.text;
  const Clock::time_point start = Clock::now();
  StudioModel model(state_.spec());  // the lab freezes its model's parameters: a copy
  model.copy_from(snapshot.model->module());
  nlohmann::json view = computing([&] { return exact_posterior_view(model, test_, image); });
  view["version"] = snapshot.version;
  view["epoch"] = snapshot.epoch;
  view["server_ms"] = milliseconds_since(start);
  if (posteriors_.size() >= 64) posteriors_.clear();
  auto text = std::make_shared<const std::string>(view.dump());
  posteriors_[image] = {snapshot.version, Clock::now(), text};
  return text;
}

std::shared_ptr<const std::string> StudioServer::graph(const Snapshot& snapshot, int64_t batch, int64_t size) {
  const auto key = std::make_pair(batch, size);
  // While training publishes a snapshot every half second, a step recorded in the last
  // second stands for the current one (its answer names its snapshot): a page that
  // asks again and again is not each time a new step to record. One step is recorded
  // at a time; while one is, a request with an older recording of its batch gets that.
  auto cached = [&](bool any_age) -> std::shared_ptr<const std::string> {
    std::lock_guard lock(cache_mutex_);
    auto found = graphs_.find(key);
    if (found == graphs_.end()) return nullptr;
    const bool fresh =
        found->second.version == snapshot.version || Clock::now() - found->second.made < std::chrono::seconds(1);
    return fresh || any_age ? found->second.text : nullptr;
  };
  if (auto fresh = cached(false)) return fresh;
  std::unique_lock recording(graph_mutex_, std::try_to_lock);
  if (!recording.owns_lock()) {
    if (auto older = cached(true)) return older;
    recording.lock();
    if (auto meanwhile = cached(false)) return meanwhile;
  }
  const Clock::time_point start = Clock::now();
  nlohmann::json step = computing([&] { return record_step_view(snapshot, batch, size); });
  step["version"] = snapshot.version;
  step["epoch"] = snapshot.epoch;
  step["batch"] = batch;
  step["size"] = size;
  step["server_ms"] = milliseconds_since(start);
  auto text = std::make_shared<const std::string>(step.dump());
  std::lock_guard lock(cache_mutex_);
  if (graphs_.size() >= 64) graphs_.clear();
  graphs_[key] = {snapshot.version, Clock::now(), text};
  return text;
}

nlohmann::json StudioServer::record_step_view(const Snapshot& snapshot, int64_t batch, int64_t size) {
  // A copy of the snapshot: backward writes the copy's gradients, never the snapshot's.
  StudioModel model(state_.spec());
  model.copy_from(snapshot.model->module());
  const int64_t d = train_.size();
  Tensor images({size, d});
  std::copy(train_.pixels.begin() + batch * size * d, train_.pixels.begin() + (batch + 1) * size * d, images.data());
  Tensor one_hot;
  if (state_.spec().conditions() > 0) {
    one_hot = Tensor({size, state_.spec().conditions()});
    for (int64_t i = 0; i < size; ++i)
      one_hot.data()[i * state_.spec().conditions() + train_.labels[static_cast<size_t>(batch * size + i)]] = 1.0f;
  }
  Rng rng(1, static_cast<uint64_t>(batch));
  Tape tape;
  Var loss = model.record_step(tape, images, one_hot, rng);
  nlohmann::json step;
  if (std::isfinite(loss.item())) {
    const BackwardTrace trace = trace_backward(tape, loss);
    step = describe_step(tape, loss, &trace);
  } else {
    step = describe_step(tape, loss, nullptr);
  }
  std::string error;
  const std::optional<std::string> svg = render_svg(step_dot(step), error);
  step["svg"] = svg ? nlohmann::json(*svg) : nlohmann::json();
  if (!svg) step["svg_error"] = error;
  return step;
}

void StudioServer::routes() {
  // DNS rebinding: a page elsewhere that resolves its own name to this address reaches
  // the server with its own name in Host; only the served address is answered.
  server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    // A request's arithmetic runs on its own thread only: a second OpenMP team beside
    // training's would have both spin for the same cores.
    kernels::set_thread_count(1);
    // An address (not a name) with the served port cannot be a rebinding: behind --host
    // 0.0.0.0 the machine is reached by any of its addresses.
    const std::string host = request.get_header_value("Host"), port = std::to_string(port_);
    std::set<std::string> allowed = {options_.host + ":" + port, "[" + options_.host + "]:" + port,
                                     "localhost:" + port};
    if (!allowed.count(host) && !is_address_with_port(host, port)) {
      send_error(response, 403, "Host '" + host.substr(0, 80) + "' is not the address this studio serves", "Host",
                 *allowed.begin());
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (response.status == 404)
      send_error(response, 404, "no such path: " + request.path.substr(0, 80));
    else if (response.status == 413)
      send_error(response, 413, "the request body is over 4096 bytes");
    else if (response.body.empty())
      send_error(response, response.status, "the request was refused");
  });

  for (const auto& [route, asset] : assets_) {
    const Asset* file = &asset;
    const bool page = route == "/";
    server_.Get(route, [file, page](const httplib::Request& request, httplib::Response& response) {
      // The page's address carries the token (the page reads it); its files take nothing.
      for (const auto& [name, value] : request.params)
        if (!(page && name == "token" && request.params.count(name) == 1))
          return send_error(response, 400, name + ": is not a parameter of " + request.path, name,
                            page ? "token" : "no parameters");
      response.set_header("Cache-Control", "no-cache");
      response.set_header("X-Content-Type-Options", "nosniff");
      response.set_content(file->content, file->type.c_str());
    });
  }

  server_.Get("/api/run", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {});
                send_json(response, 200, state_.history());
              }));

  // Server-sent events: everything that happens after `after` (or Last-Event-ID).
  server_.Get("/api/events", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {"after"});
                uint64_t after = static_cast<uint64_t>(query.integer("after", 0, int64_t{1} << 53, 0));
                if (!query.has("after") && request.has_header("Last-Event-ID")) {
                  const std::string id = request.get_header_value("Last-Event-ID");
                  uint64_t parsed = 0;
                  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), parsed);
                  if (error == std::errc() && end == id.data() + id.size()) after = parsed;
                }
                response.set_header("Cache-Control", "no-store");
                response.set_chunked_content_provider(
                    "text/event-stream", [this, after](size_t, httplib::DataSink& sink) mutable {
                      const std::vector<Event> events = state_.events_after(after, std::chrono::milliseconds(500));
                      std::string chunk;
                      for (const Event& event : events) {
                        chunk += "id: " + std::to_string(event.seq) + "\ndata: " + event.json + "\n\n";
                        after = event.seq;
                      }
                      if (chunk.empty()) chunk = ": waiting\n\n";  // finds a client that has gone
                      if (!sink.write(chunk.data(), chunk.size())) return false;
                      return !state_.events_closed();
                    });
              }));

  server_.Get("/api/pictures", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {});
                const auto snapshot = state_.snapshot();
                if (!snapshot) return send_error(response, 503, "no snapshot of the model yet");
                response.set_header("Cache-Control", "no-store");
                response.set_content(*pictures_of(*snapshot), "application/json");
              }));

  server_.Get("/api/latent", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {});
                const auto snapshot = state_.snapshot();
                if (!snapshot) return send_error(response, 503, "no snapshot of the model yet");
                nlohmann::json body = latent(*snapshot)->json;
                body["version"] = snapshot->version;
                body["epoch"] = snapshot->epoch;
                send_json(response, 200, body);
              }));

  // One image decoded: from a point (x, y) of the latent plane, or from a whole code z.
  server_.Get("/api/decode", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                const Clock::time_point start = Clock::now();
                Query query(request, {"x", "y", "z", "label"});
                const auto snapshot = state_.snapshot();
                if (!snapshot) return send_error(response, 503, "no snapshot of the model yet");
                const ModelSpec& spec = state_.spec();
                const int64_t z_size = spec.latent();
                int label = 0;
                if (spec.conditions() > 0)
                  label = static_cast<int>(query.integer("label", 0, spec.conditions() - 1, 0));
                else if (query.has("label"))
                  throw BadRequest{"label", "is for a CVAE, and this model is a " + std::string(to_string(spec.kind)),
                                   "no label"};
                std::vector<float> code;
                if (query.has("z")) {
                  if (query.has("x") || query.has("y"))
                    throw BadRequest{"z", "is given with x or y", "either z alone, or x and y"};
                  code = query.numbers("z", z_size, -kCoordinateLimit, kCoordinateLimit);
                } else {
                  const double x = query.number("x", -kCoordinateLimit, kCoordinateLimit);
                  const double y =
                      z_size == 1 && !query.has("y") ? 0.0 : query.number("y", -kCoordinateLimit, kCoordinateLimit);
                  code = plane(*snapshot).code(x, y);
                }
                nlohmann::json image = computing(
                    [&] { return decoded_images(*snapshot->model, code, 1, label, test_.rows, test_.columns)[0]; });
                nlohmann::json body = {{"version", snapshot->version}, {"z", code}, {"image", std::move(image)}};
                body["server_ms"] = milliseconds_since(start);
                send_json(response, 200, body);
              }));

  server_.Get("/api/interpolate", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {"a", "b", "steps", "label"});
                const auto snapshot = state_.snapshot();
                if (!snapshot) return send_error(response, 503, "no snapshot of the model yet");
                const int64_t a = query.integer("a", 0, test_.count - 1), b = query.integer("b", 0, test_.count - 1);
                const int64_t steps = query.integer("steps", 2, 32, 10);
                const ModelSpec& spec = state_.spec();
                int label = 0;
                if (spec.conditions() > 0)
                  label = static_cast<int>(query.integer("label", 0, spec.conditions() - 1, test_.labels[a]));
                else if (query.has("label"))
                  throw BadRequest{"label", "is for a CVAE", "no label"};
                nlohmann::json body =
                    computing([&] { return interpolation(*snapshot->model, test_, a, b, steps, label); });
                body["version"] = snapshot->version;
                send_json(response, 200, body);
              }));

  // The inference lab's posterior view of one test image (a VAE with a 2-D latent).
  server_.Get("/api/posterior", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {"image"});
                const auto snapshot = state_.snapshot();
                if (!snapshot) return send_error(response, 503, "no snapshot of the model yet");
                const ModelSpec& spec = state_.spec();
                if (spec.kind != ModelKind::vae || spec.latent() != 2 || spec.vae.learned_prior)
                  throw BadRequest{"image", "has an exact posterior drawn only for a VAE with a 2-D latent",
                                   "a VAE trained with --latent 2"};
                const int64_t image = query.integer("image", 0, test_.count - 1);
                response.set_header("Cache-Control", "no-store");
                response.set_content(*posterior(*snapshot, image), "application/json");
              }));

  server_.Get("/api/graph", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                Query query(request, {"batch", "size"});
                const auto snapshot = state_.snapshot();
                if (!snapshot) return send_error(response, 503, "no snapshot of the model yet");
                const int64_t size = query.integer("size", 1, std::min<int64_t>(128, train_.count), 16);
                const int64_t batch = query.integer("batch", 0, train_.count / size - 1, 0);
                response.set_header("Cache-Control", "no-store");
                response.set_content(*graph(*snapshot, batch, size), "application/json");
              }));

  // What changes the run needs the token printed with the address.
  server_.Post("/api/control", endpoint([this](const httplib::Request& request, httplib::Response& response) {
                 if (request.get_header_value("X-Studio-Token") != options_.token)
                   return send_error(response, 403, "pause, resume and stop need the token printed with the address",
                                     "X-Studio-Token", "the token aevb-studio printed");
                 Query query(request, {"action"});
                 const std::string action = query.choice("action", {"pause", "resume", "stop"});
                 if (const std::string why = state_.control(action); !why.empty())
                   return send_error(response, 409, why, "action", "pause, resume or stop while training");
                 send_json(response, 200, {{"phase", to_string(state_.phase())}, {"stop", state_.stop_requested()}});
               }));
}

}  // namespace aevb::studio
