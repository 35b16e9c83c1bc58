// The studio from outside: its HTTP API from a test client (every endpoint, every
// refusal), the step description against the tape it describes, the op formulas
// against the source they are read from, and a training run observed while clients
// poll (also run under ThreadSanitizer, tests/tsan/run.sh).
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "autodiff/ops.h"
#include "datasets/sources.h"
#include "examples/studio/server.h"
#include "nn/op_formulas.h"
#include "tests/temp_files.h"

using namespace aevb;
using namespace aevb::studio;

namespace {

ModelSpec small_spec(ModelKind kind, int64_t latent = 2) {
  ModelSpec spec;
  spec.kind = kind;
  spec.vae = {.inputs = 784, .hidden = {16}, .latent = latent, .conditions = kind == ModelKind::cvae ? 10 : 0};
  spec.autoencoder = {.inputs = 784, .hidden = {16}, .code = latent};
  return spec;
}

// Rows of made-up images: deterministic, in [0, 1], labelled 0..9 in turn.
ImageRows made_up_images(int64_t count) {
  ImageRows rows;
  rows.count = count;
  rows.rows = rows.columns = 28;
  rows.classes = 10;
  Rng rng(7);
  rows.pixels.resize(static_cast<size_t>(count * 784));
  for (float& p : rows.pixels) p = rng.uniform();
  for (int64_t i = 0; i < count; ++i) rows.labels.push_back(static_cast<int>(i % 10));
  return rows;
}

// A model with its initial values, published as the snapshot.
void publish_initial(RunState& state) {
  Rng rng(3);
  const ModelSpec& spec = state.spec();
  if (spec.kind == ModelKind::ae) {
    models::Autoencoder model(spec.autoencoder, rng);
    state.publish(model, 0, 0);
  } else {
    models::Vae model(spec.vae, rng);
    state.publish(model, 0, 0);
  }
}

struct Served {
  RunState state;
  std::unique_ptr<StudioServer> server;
  std::thread thread;
  std::string token = "0123456789abcdef0123456789abcdef";
  explicit Served(const ModelSpec& spec) : state(spec) {
    publish_initial(state);
    server = std::make_unique<StudioServer>(state, made_up_images(256), made_up_images(100),
                                            ServerOptions{.host = "127.0.0.1",
                                                          .port = 0,
                                                          .token = token,
                                                          .web_folder = AEVB_STUDIO_WEB,
                                                          .vendor_folder = AEVB_STUDIO_VENDOR,
                                                          .threads = 8});
    std::string error;
    REQUIRE_MESSAGE(server->bind(error), error);
    thread = std::thread([this] { server->serve(); });
  }
  ~Served() {
    server->stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(120, 0);  // a sanitized server beside other work answers slowly
    return c;
  }
};

nlohmann::json json_of(const httplib::Result& result) {
  REQUIRE(result);
  return nlohmann::json::parse(result->body);
}

// The request is refused with `status` and a JSON error naming `field`.
void refused(const httplib::Result& result, int status, const std::string& field) {
  REQUIRE(result);
  CHECK(result->status == status);
  const nlohmann::json body = nlohmann::json::parse(result->body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body.contains("error"));
  if (!field.empty()) {
    CHECK(body.value("field", "") == field);
    CHECK(!body.value("accepts", "").empty());
  }
}

}  // namespace

TEST_CASE("op formulas are the comments beside the ops in their source") {
  const OpFormula* exp_formula = find_op_formula("exp");
  REQUIRE(exp_formula != nullptr);
  CHECK(std::string(exp_formula->formula) == "y = e^x;  dx += dy * y");
  // The source line it names holds the function, under that very comment.
  const std::string source = exp_formula->source;
  const std::string file = source.substr(0, source.find(':'));
  const int line = std::stoi(source.substr(source.find(':') + 1));
  std::ifstream in(std::string(AEVB_SOURCE_ROOT) + "/" + file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(static_cast<int>(lines.size()) >= line);
  CHECK(lines[static_cast<size_t>(line - 1)].rfind("Var exp(", 0) == 0);
  CHECK(lines[static_cast<size_t>(line - 2)] == "// y = e^x;  dx += dy * y");
  // Fused and shared names find their family's text.
  REQUIRE(find_op_formula("linear+relu") != nullptr);
  CHECK(std::string(find_op_formula("linear+relu")->op) == "linear");
  REQUIRE(find_op_formula("sum") != nullptr);
  CHECK(std::string(find_op_formula("sum")->formula).find("sum_k") != std::string::npos);
  CHECK(find_op_formula("no_such_op") == nullptr);

  // Every op a training step of each model records has its formula.
  for (ModelKind kind : {ModelKind::vae, ModelKind::cvae, ModelKind::ae}) {
    CAPTURE(to_string(kind));
    StudioModel model(small_spec(kind));
    Tape tape;
    Rng rng(1);
    Tensor images({4, 784}), one_hot({4, 10});
    for (int64_t i = 0; i < 4; ++i) one_hot.data()[i * 10 + i] = 1.0f;
    Var loss = model.record_step(tape, images, one_hot, rng);
    for (int32_t i = 0; i <= loss.index(); ++i) {
      const Node& node = tape.node_at(i);
      if (node.kind != NodeKind::op) continue;
      CAPTURE(node.op);
      CHECK(find_op_formula(node.op) != nullptr);
    }
  }
}

TEST_CASE("a step's description matches the tape and its backward trace") {
  StudioModel model(small_spec(ModelKind::vae));
  Tape tape;
  Rng rng(1);
  const ImageRows images = made_up_images(8);
  Tensor x({8, 784});
  std::copy(images.pixels.begin(), images.pixels.end(), x.data());
  Var loss = model.record_step(tape, x, Tensor(), rng);
  const BackwardTrace trace = trace_backward(tape, loss);
  const nlohmann::json step = describe_step(tape, loss, &trace);
  REQUIRE(step["nodes"].size() == static_cast<size_t>(loss.index() + 1));
  CHECK(step["first_nonfinite"].is_null());
  CHECK(step["backward"].size() == trace.steps.size());
  // The backward pass runs in reverse tape order.
  for (size_t k = 1; k < trace.steps.size(); ++k) CHECK(trace.steps[k].node < trace.steps[k - 1].node);
  std::set<std::string> terms;
  for (const nlohmann::json& node : step["nodes"]) {
    terms.insert(node["term"].get<std::string>());
    const Node& original = tape.node_at(node["id"].get<int>());
    CHECK(node["op"] == original.op);
    CHECK(node["value"]["count"] == original.shape.numel());
  }
  for (const char* term : {"data", "encoder", "reparameterization", "decoder", "reconstruction", "kl", "loss"}) {
    CAPTURE(term);
    CHECK(terms.count(term) == 1);
  }
  // Each edge's gradient norm is the one the trace measured.
  for (const BackwardTrace::Step& s : trace.steps)
    for (const auto& [input, norm] : s.passed) {
      bool found = false;
      for (const nlohmann::json& edge : step["edges"])
        if (edge["from"] == input && edge["to"] == s.node && edge.contains("gradient_norm")) {
          CHECK(edge["gradient_norm"].get<double>() == doctest::Approx(norm));
          found = true;
        }
      CHECK(found);
    }
  // The dot names every node and edge by the ids the page uses.
  const std::string dot = step_dot(step);
  CHECK(dot.find("id=\"n0\"") != std::string::npos);
  CHECK(dot.find("cluster_reparameterization") != std::string::npos);
  std::string error;
  const std::optional<std::string> svg = render_svg(dot, error);
  REQUIRE_MESSAGE(svg, error);
  CHECK(svg->find("id=\"n" + std::to_string(loss.index()) + "\"") != std::string::npos);
}

TEST_CASE("anomaly: the first non-finite node is the one that made it") {
  Tape tape;
  Parameter weight("w", Tensor::full({3}, -1.0f));
  Var w = tape.param(weight);
  Var bad = log(w);            // log of a negative number: NaN, node 1
  Var later = mul(bad, 2.0f);  // inherits it
  Var loss = sum(later);
  const nlohmann::json forward_only = describe_step(tape, loss, nullptr);
  REQUIRE(forward_only["first_nonfinite"].is_object());
  CHECK(forward_only["first_nonfinite"]["node"] == bad.index());
  CHECK(forward_only["first_nonfinite"]["what"] == "value");
  CHECK(forward_only["nodes"][bad.index()]["value"]["nonfinite"] == 3);
  CHECK(forward_only["differentiated"] == false);

  // A finite forward whose gradient is not: found in backward order.
  Tape second;
  Parameter zero("z", Tensor::full({2}, 0.0f));
  Var z = second.param(zero);
  Var root = sqrt(z);  // finite at 0, derivative 1 / (2 sqrt 0) infinite
  Var total = sum(root);
  const BackwardTrace trace = trace_backward(second, total);
  const nlohmann::json step = describe_step(second, total, &trace);
  REQUIRE(step["first_nonfinite"].is_object());
  CHECK(step["first_nonfinite"]["what"] == "gradient");
  CHECK(step["first_nonfinite"]["node"] == z.index());
}

TEST_CASE("the latent plane: the latent itself at Z = 2, orthonormal principal axes above") {
  const ImageRows test = made_up_images(60);
  for (int64_t latent : {2, 6}) {
    CAPTURE(latent);
    StudioModel model(small_spec(ModelKind::vae, latent));
    Rng rng(5);
    models::Vae source(small_spec(ModelKind::vae, latent).vae, rng);
    model.copy_from(source);
    const LatentView view = latent_view(model, test);
    const LatentPlane& plane = view.plane;
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b) {
        double dot = 0;
        for (int64_t j = 0; j < latent; ++j)
          dot += plane.axes[a][static_cast<size_t>(j)] * plane.axes[b][static_cast<size_t>(j)];
        CHECK(dot == doctest::Approx(a == b ? 1.0 : 0.0).epsilon(1e-9));
      }
    // Each point is its code's projection: decoding the point of a code whose part
    // off the plane is dropped gives back that point.
    const std::vector<float> codes = model.encode(test.pixels, test.count, test.labels);
    const double x0 = view.json["x"][0], y0 = view.json["y"][0];
    const std::vector<float> back = plane.code(x0, y0);
    if (latent == 2) {
      CHECK(back[0] == doctest::Approx(codes[0]).epsilon(1e-5));
      CHECK(back[1] == doctest::Approx(codes[1]).epsilon(1e-5));
      CHECK(view.json["axes"][0] == "z1");
    } else {
      CHECK(view.json["axes"][0].get<std::string>().rfind("PC1", 0) == 0);
    }
  }
}

TEST_CASE("the HTTP API: every endpoint answers") {
  for (ModelKind kind : {ModelKind::vae, ModelKind::cvae, ModelKind::ae}) {
    CAPTURE(to_string(kind));
    Served served(small_spec(kind, kind == ModelKind::vae ? 2 : 5));
    httplib::Client client = served.client();
    auto page = client.Get("/?token=" + served.token);
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->body.find("aevb studio") != std::string::npos);
    for (const char* file : {"/studio.js", "/studio.css", "/vendor/uPlot.iife.min.js", "/vendor/uPlot.min.css"}) {
      auto got = client.Get(file);
      REQUIRE(got);
      CHECK(got->status == 200);
    }
    const nlohmann::json run = json_of(client.Get("/api/run"));
    CHECK(run["snapshot"] == 1);
    const nlohmann::json pictures = json_of(client.Get("/api/pictures"));
    CHECK(pictures["reconstructions"].size() == 8);
    CHECK(pictures["samples"].size() == (kind == ModelKind::ae ? 0u : 8u));
    const nlohmann::json latent = json_of(client.Get("/api/latent"));
    CHECK(latent["x"].size() == 100);
    const std::string label = kind == ModelKind::cvae ? "&label=3" : "";
    const nlohmann::json decoded = json_of(client.Get("/api/decode?x=0.5&y=-1" + label));
    CHECK(decoded["image"]["pixels"].size() == 784);
    CHECK(decoded["z"].size() == static_cast<size_t>(kind == ModelKind::vae ? 2 : 5));
    const std::string z = kind == ModelKind::vae ? "0.1,2" : "0,1,2,3,-4";
    const nlohmann::json by_code = json_of(client.Get("/api/decode?z=" + z + label));
    CHECK(by_code["z"][1] == doctest::Approx(kind == ModelKind::vae ? 2.0 : 1.0));
    const nlohmann::json strip = json_of(client.Get("/api/interpolate?a=0&b=9&steps=5" + label));
    CHECK(strip["images"].size() == 5);
    if (kind == ModelKind::vae) {  // the inference lab's exact posterior of one image
      const nlohmann::json posterior = json_of(client.Get("/api/posterior?image=4"));
      CHECK(posterior["exact"].size() == 64 * 64);
      CHECK(posterior["encoder"].size() == 64 * 64);
      CHECK(posterior["converged"] == true);
      CHECK(posterior["exact_levels"].size() == 3);
      double mass = 0;  // the exact density integrates to about 1 over its view
      const double cell = (posterior["high"][0].get<double>() - posterior["low"][0].get<double>()) *
                          (posterior["high"][1].get<double>() - posterior["low"][1].get<double>()) / (64.0 * 64.0);
      for (double d : posterior["exact"]) mass += d * cell;
      CHECK(mass == doctest::Approx(1.0).epsilon(0.02));
      refused(client.Get("/api/posterior?image=100"), 400, "image");
    } else {
      refused(client.Get("/api/posterior?image=0"), 400, "image");
    }
    const nlohmann::json graph = json_of(client.Get("/api/graph?batch=3&size=8"));
    CHECK(graph["nodes"].size() > 10);
    CHECK(graph["svg"].is_string());
    CHECK(graph["batch"] == 3);
    // The same batch of the same snapshot is served from the cache, identically.
    auto again = client.Get("/api/graph?batch=3&size=8");
    REQUIRE(again);
    CHECK(nlohmann::json::parse(again->body)["server_ms"] == graph["server_ms"]);
  }
}

TEST_CASE("the HTTP API refuses what it does not accept") {
  Served served(small_spec(ModelKind::vae));
  httplib::Client client = served.client();
  refused(client.Get("/api/decode?x=nan&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=inf&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=-infinity&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=1e300&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=0&y=101"), 400, "y");
  refused(client.Get("/api/decode?x=abc&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=1.5x&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=&y=0"), 400, "x");
  refused(client.Get("/api/decode?y=0"), 400, "x");
  refused(client.Get("/api/decode?x=0&x=1&y=0"), 400, "x");
  refused(client.Get("/api/decode?x=0&y=0&file=/etc/passwd"), 400, "file");
  refused(client.Get("/api/decode?x=0&y=0&label=1"), 400, "label");
  refused(client.Get("/api/decode?z=1"), 400, "z");
  refused(client.Get("/api/decode?z=1,2,3"), 400, "z");
  refused(client.Get("/api/decode?z=1,nan"), 400, "z");
  refused(client.Get("/api/decode?z=1,2&x=0"), 400, "z");
  refused(client.Get("/api/interpolate?a=0&b=100"), 400, "b");
  refused(client.Get("/api/interpolate?a=-1&b=3"), 400, "a");
  refused(client.Get("/api/interpolate?a=0&b=3&steps=1000"), 400, "steps");
  refused(client.Get("/api/interpolate?a=0.5&b=3"), 400, "a");
  refused(client.Get("/api/graph?batch=32&size=8"), 400, "batch");
  refused(client.Get("/api/graph?batch=0&size=0"), 400, "size");
  refused(client.Get("/api/graph?batch=0&size=100000"), 400, "size");
  refused(client.Get("/api/graph?batch=99999999999999999999999"), 400, "batch");
  refused(client.Get("/api/run?x=1"), 400, "x");
  refused(client.Get("/studio.js?v=1"), 400, "v");
  refused(client.Get("/?token=a&other=b"), 400, "other");
  refused(client.Get("/api/nothing"), 404, "");
  refused(client.Get("/../../etc/passwd"), 404, "");
  refused(client.Get("/web/index.html"), 404, "");

  // DNS rebinding: another Host is refused, on every path.
  httplib::Headers rebound = {{"Host", "attacker.example:" + std::to_string(served.server->port())}};
  refused(client.Get("/", rebound), 403, "Host");
  refused(client.Get("/api/decode?x=0&y=0", rebound), 403, "Host");
  refused(client.Post("/api/control?action=stop", rebound, "", "text/plain"), 403, "Host");
  const std::string port = std::to_string(served.server->port());
  CHECK(client.Get("/api/run", {{"Host", "localhost:" + port}})->status == 200);
  // An address is not a name: no rebinding through it (--host 0.0.0.0 is reached so).
  CHECK(client.Get("/api/run", {{"Host", "192.0.2.7:" + port}})->status == 200);
  CHECK(client.Get("/api/run", {{"Host", "[::1]:" + port}})->status == 200);
  refused(client.Get("/api/run", {{"Host", "192.0.2.7:1"}}), 403, "Host");
  refused(client.Get("/api/run", {{"Host", "192.0.2.7.attacker.example:" + port}}), 403, "Host");
  refused(client.Get("/api/run", {{"Host", "127.0.0.1"}}), 403, "Host");

  // The controls need the token.
  refused(client.Post("/api/control?action=pause", "", "text/plain"), 403, "X-Studio-Token");
  refused(client.Post("/api/control?action=pause", {{"X-Studio-Token", "wrong"}}, "", "text/plain"), 403,
          "X-Studio-Token");
  const httplib::Headers token = {{"X-Studio-Token", served.token}};
  refused(client.Post("/api/control?action=explode", token, "", "text/plain"), 400, "action");
  // Nothing trains here: a well-formed control is refused as such.
  refused(client.Post("/api/control?action=pause", token, "", "text/plain"), 409, "action");
  // An oversized body.
  refused(client.Post("/api/control?action=pause", token, std::string(100000, 'x'), "text/plain"), 413, "");
  CHECK(!served.state.stop_requested());
}

TEST_CASE("pause, resume and stop a run that trains, while clients poll") {
  const datasets::TrainTest data = datasets::load_dataset("mnist-subset");
  ModelSpec spec = small_spec(ModelKind::vae);
  RunState state(spec);
  StudioServer server(state, image_rows(data.train, 512), image_rows(data.test, 200),
                      ServerOptions{.host = "127.0.0.1",
                                    .port = 0,
                                    .token = "t0ken",
                                    .web_folder = AEVB_STUDIO_WEB,
                                    .vendor_folder = AEVB_STUDIO_VENDOR,
                                    .threads = 8});
  std::string error;
  REQUIRE_MESSAGE(server.bind(error), error);
  std::thread serving([&] { server.serve(); });
  testing::TempFolder out("aevb_studio_test_");
  models::TrainingOptions options;
  options.epochs = 1000;  // stopped long before
  options.batch = 256;
  options.out = out.path.string();
  options.quiet = true;
  StudioObserver observer(state, std::chrono::milliseconds(50));
  options.observer = &observer;
  std::atomic<bool> stopped{false}, client_failed{false};
  uint64_t checkpoint_epoch = 0;
  std::thread training([&] {
    try {
      models::train_vae(options, spec.vae, data);
    } catch (const models::StopRequested& stop) {
      checkpoint_epoch = stop.checkpoint_epoch();
      stopped = true;
    }
  });
  // Clients read every view while the model trains.
  while (!state.snapshot()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int c = 0; c < 3; ++c)
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", server.port());
      const char* paths[] = {"/api/decode?x=0.1&y=0.2", "/api/graph?batch=1&size=4", "/api/latent", "/api/pictures",
                             "/api/run"};
      for (int i = 0; i < 15 && !stopped; ++i) {
        auto got = client.Get(paths[(i + c) % 5]);
        if (!got || got->status != 200) client_failed = true;
        ++answered;
      }
    });
  for (std::thread& t : clients) t.join();
  CHECK(!client_failed);
  CHECK(answered == 45);
  httplib::Client control("127.0.0.1", server.port());
  const httplib::Headers token = {{"X-Studio-Token", "t0ken"}};
  // Wait for the first epoch's checkpoint, then pause.
  while (state.history()["epochs"].empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto paused = control.Post("/api/control?action=pause", token, "", "text/plain");
  REQUIRE(paused);
  CHECK(paused->status == 200);
  CHECK(state.phase() == RunPhase::paused);
  // The step under way when the pause came ends (and may publish); then nothing moves.
  // How long that step takes depends on the build and the machine's load (a sanitized
  // step beside other work took over 150 ms): wait until a whole second passes unchanged.
  uint64_t version = state.snapshot()->version;
  for (int waited = 0; waited < 30; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    const uint64_t now = state.snapshot()->version;
    if (now == version) break;
    version = now;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(state.snapshot()->version == version);  // no step while paused
  CHECK(control.Post("/api/control?action=resume", token, "", "text/plain")->status == 200);
  CHECK(state.phase() == RunPhase::training);
  CHECK(control.Post("/api/control?action=stop", token, "", "text/plain")->status == 200);
  training.join();
  CHECK(stopped);
  CHECK(checkpoint_epoch >= 1);
  // The checkpoint the stop left is whole: it loads.
  const models::TrainedVae trained = models::load_trained_vae(out.file("checkpoint.aevb"), data, "--open");
  CHECK(trained.vae->config().latent == 2);
  // Events: the page heard every phase.
  std::string phases;
  for (const Event& event : state.events_after(0, std::chrono::milliseconds(0))) {
    const nlohmann::json e = nlohmann::json::parse(event.json);
    if (e["type"] == "phase") phases += e["phase"].get<std::string>() + " ";
  }
  CHECK(phases.find("training paused training") != std::string::npos);
  server.stop();
  serving.join();
}

namespace {

// Measures every step's update, as the studio can: watching must not change the run.
class MeasuringObserver : public models::TrainingObserver {
 public:
  void started(nn::Module&, const nn::TrainingProgress&) override {}
  bool step_done(const models::StepReport& report, nn::Module&) override {
    measured += report.layers != nullptr;
    return true;
  }
  void epoch_done(int, const std::string&, nn::Module&) override {}
  bool stop_requested() override { return false; }
  int measured = 0;
};

}  // namespace

TEST_CASE("a watched run reaches the same bits as one not watched") {
  const datasets::TrainTest data = datasets::load_dataset("mnist-subset");
  const ModelSpec spec = small_spec(ModelKind::vae);
  std::vector<std::vector<char>> checkpoints;
  MeasuringObserver observer;
  for (bool watched : {false, true}) {
    testing::TempFolder out(watched ? "aevb_studio_watched_" : "aevb_studio_alone_");
    models::TrainingOptions options;
    options.epochs = 2;
    options.batch = 512;
    options.out = out.path.string();
    options.quiet = true;
    if (watched) options.observer = &observer;
    models::train_vae(options, spec.vae, data);
    checkpoints.push_back(testing::read_bytes(out.file("checkpoint.aevb")));
  }
  CHECK(observer.measured > 10);  // every step after the first was measured
  CHECK(checkpoints[0] == checkpoints[1]);
}
