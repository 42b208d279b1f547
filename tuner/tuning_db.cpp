// The SQLite tuning database.
#include "tuner/tuning_db.hpp"

#include "generator/checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <chrono>
#include <functional>
#include <cstdlib>
#include <thread>

namespace wino {
namespace {

constexpr int application_id = 0x57474e54;  // "WGNT": a wino-gen tuning database
// 1: one filter size r and one pad; 2: R and S, and the four pad sides
// (migrated in place: r's rows are square and pad is every side); 3: each
// result's error, rel_err (migrated in place: unknown, NULL); 4: each
// result's pass (migrated in place: forward, the only one before); 5: each
// result's int8 clips, JSON (migrated in place: none, NULL).
constexpr int schema_version = 5;
constexpr const char* export_format = "wino-gen-tuning/3";
// Earlier exports, still imported: /1 (one r, one pad), /2 (no errors).
constexpr const char* export_format_v1 = "wino-gen-tuning/1";
constexpr const char* export_format_v2 = "wino-gen-tuning/2";

// The layer's columns, one per layer field (n, c, ..., r, s, pad_top, ...).
std::string layer_column(const LayerField& f) {
    std::string name = f.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return name;
}

std::string layer_columns(const std::string& separator = ", ") {
    std::vector<std::string> names;
    for (const LayerField& f : layer_fields()) names.push_back(layer_column(f));
    return fmt::format("{}", fmt::join(names, separator));
}

const std::string& key_columns() {
    static const std::string columns =
        fmt::format("backend, vendor_id, device_id, driver, device, {}, precision, pass, kernels_hash, candidate", layer_columns());
    return columns;
}

// Schema 2's columns, which schema 1's rows move into.
const std::string& v2_columns() {
    static const std::string columns =
        fmt::format("backend, vendor_id, device_id, driver, device, {}, precision, kernels_hash, version, candidate, "
                    "time_ms, failure", layer_columns());
    return columns;
}

// Every column, in the order rows are read and written: schema 2's, with the
// pass (schema 4) beside the precision, the error (schema 3) and the clips (schema 5).
const std::string& all_columns() {
    static const std::string columns =
        fmt::format("backend, vendor_id, device_id, driver, device, {}, precision, pass, kernels_hash, version, candidate, "
                    "time_ms, failure, rel_err, clips", layer_columns());
    return columns;
}

std::string schema(const std::string& table) {
    return fmt::format(R"sql(
CREATE TABLE {} (
    backend TEXT NOT NULL, vendor_id INTEGER NOT NULL, device_id INTEGER NOT NULL, driver TEXT NOT NULL,
    device TEXT NOT NULL,
    {} INTEGER NOT NULL, precision TEXT NOT NULL, pass TEXT NOT NULL DEFAULT 'forward',
    kernels_hash TEXT NOT NULL, version TEXT NOT NULL, candidate TEXT NOT NULL,
    time_ms REAL, failure TEXT NOT NULL, rel_err REAL, clips TEXT,
    PRIMARY KEY ({})
);
)sql", table, layer_columns(" INTEGER NOT NULL, "), key_columns());
}

// Schema 1's rows in the current schema (errors unknown, every pass forward), in the caller's transaction.
void migrate_from_v1(const std::function<void(const std::string&)>& exec) {
    exec(schema("results_v2"));
    exec("INSERT INTO results_v2 (" + v2_columns() +
         ") SELECT backend, vendor_id, device_id, driver, device, n, c, h, w, k, r, r, pad, pad, pad, pad, precision, "
         "kernels_hash, version, candidate, time_ms, failure FROM results");
    exec("DROP TABLE results");
    exec("ALTER TABLE results_v2 RENAME TO results");
}

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

}  // namespace

struct TuningDbConnection {
    sqlite3* handle = nullptr;
    std::string path;
    ~TuningDbConnection() { sqlite3_close_v2(handle); }

    [[noreturn]] void fail(const std::string& what) const {
        const int code = sqlite3_errcode(handle);
        const std::string text = fmt::format("tuning database {}: {} ({})", path, what, sqlite3_errmsg(handle));
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) throw InputError(text);
        throw std::runtime_error(text);
    }

    void exec(const std::string& sql) {
        if (sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql.substr(0, 40));
    }

    // A prepared statement, its parameters bound in order.
    struct Statement {
        TuningDbConnection& db;
        sqlite3_stmt* stmt = nullptr;
        int next = 1;
        Statement(TuningDbConnection& c, const std::string& sql) : db(c) {
            if (sqlite3_prepare_v2(db.handle, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) db.fail("prepare");
        }
        ~Statement() { sqlite3_finalize(stmt); }
        Statement& bind(long long v) { return check(sqlite3_bind_int64(stmt, next++, v)); }
        Statement& bind(const std::string& v) { return check(sqlite3_bind_text(stmt, next++, v.c_str(), -1, SQLITE_TRANSIENT)); }
        Statement& bind(std::optional<double> v) {
            return check(v ? sqlite3_bind_double(stmt, next++, *v) : sqlite3_bind_null(stmt, next++));
        }
        Statement& bind_text_or_null(const std::optional<std::string>& v) {
            return v ? bind(*v) : check(sqlite3_bind_null(stmt, next++));
        }
        Statement& check(int status) {
            if (status != SQLITE_OK) db.fail("bind");
            return *this;
        }
        // True while there is a row.
        bool step() {
            const int status = sqlite3_step(stmt);
            if (status == SQLITE_ROW) return true;
            if (status != SQLITE_DONE) db.fail("step");
            return false;
        }
        long long integer(int column) const { return sqlite3_column_int64(stmt, column); }
        std::string text(int column) const {
            const unsigned char* t = sqlite3_column_text(stmt, column);
            return t ? reinterpret_cast<const char*>(t) : "";
        }
        std::optional<std::string> optional_text(int column) const {
            if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
            return text(column);
        }
        std::optional<double> real(int column) const {
            if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
            return sqlite3_column_double(stmt, column);
        }
    };

    long long pragma(const char* name) {
        Statement s(*this, fmt::format("PRAGMA {}", name));
        return s.step() ? s.integer(0) : 0;
    }
};

namespace {

using Statement = TuningDbConnection::Statement;

void bind_device(Statement& s, const DeviceIdentity& d) {
    s.bind(spec_of(d.backend).name).bind(d.vendor_id).bind(d.device_id).bind(d.driver_version).bind(d.name);
}

// The layer at a precision and pass: a candidate's precision and pass are
// part of what it is tuned for, so an fp16-storage result never answers an
// fp32 lookup, nor a backward-data result a forward one.
void bind_layer(Statement& s, const ConvShape& l, Precision precision, Pass pass) {
    for (const LayerField& f : layer_fields()) s.bind(f.get(l));
    s.bind(std::string(to_string(precision))).bind(std::string(to_string(pass)));
}

// "?,?,?": the placeholders of `count` columns.
std::string placeholders(std::size_t count) {
    std::vector<std::string> marks(count, "?");
    return fmt::format("{}", fmt::join(marks, ","));
}

// Columns after the layer's in a row (all_columns), counted from 0.
constexpr int device_columns = 5;
constexpr int after_layer = device_columns + static_cast<int>(layer_field_count);

// WAL is a property of the file: the first process sets it. Switching needs
// the file to itself, which SQLite's busy handler does not wait for, so a
// process that finds it taken waits and looks again.
void use_wal(TuningDbConnection& db) {
    for (int attempt = 0;; ++attempt) {
        {
            Statement mode(db, "PRAGMA journal_mode");
            if (mode.step() && mode.text(0) == "wal") return;
        }
        const int status = sqlite3_exec(db.handle, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        if (status == SQLITE_OK) return;
        if ((status != SQLITE_BUSY && status != SQLITE_LOCKED) || attempt == 300) db.fail("PRAGMA journal_mode=WAL");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

TuningResult result_of(const Statement& s) {
    TuningResult r;
    r.device.backend = parse_backend(s.text(0), "a stored result's backend");
    r.device.vendor_id = static_cast<std::uint32_t>(s.integer(1));
    r.device.device_id = static_cast<std::uint32_t>(s.integer(2));
    r.device.driver_version = s.text(3);
    r.device.name = s.text(4);
    std::array<long long, layer_field_count> sizes;
    for (std::size_t i = 0; i < sizes.size(); ++i) sizes[i] = s.integer(device_columns + static_cast<int>(i));
    r.layer = checked_shape(sizes, "a stored layer's ");
    r.kernels_hash = s.text(after_layer + 2);
    r.version = s.text(after_layer + 3);
    try {
        r.candidate = config_from_json(nlohmann::json::parse(s.text(after_layer + 4)), r.device.backend);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("a stored candidate is not JSON ({})", e.what()));
    }
    r.time_ms = s.real(after_layer + 5);
    r.failure = s.text(after_layer + 6);
    r.rel_err = s.real(after_layer + 7);
    if (const std::optional<std::string> clips = s.optional_text(after_layer + 8)) {
        try {
            r.candidate.clips = clips_from_json(nlohmann::json::parse(*clips));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(fmt::format("a stored result's clips are not JSON ({})", e.what()));
        }
    }
    return r;
}

nlohmann::ordered_json to_json(const TuningResult& r) {
    nlohmann::ordered_json layer = layer_json(r.layer);
    layer["precision"] = to_string(r.candidate.precision);
    if (r.candidate.pass != Pass::forward) layer["pass"] = to_string(r.candidate.pass);  // as the candidate names it
    return {{"device",
             {{"backend", spec_of(r.device.backend).name}, {"vendor_id", r.device.vendor_id},
              {"device_id", r.device.device_id}, {"driver", r.device.driver_version}, {"name", r.device.name}}},
            {"layer", layer},
            {"kernels_hash", r.kernels_hash},
            {"version", r.version},
            {"candidate", to_json(r.candidate)},
            {"time_ms", r.time_ms ? nlohmann::ordered_json(*r.time_ms) : nlohmann::ordered_json()},
            {"failure", r.failure},
            {"rel_err", r.rel_err ? nlohmann::ordered_json(*r.rel_err) : nlohmann::ordered_json()},
            {"clips", r.candidate.clips.empty() ? nlohmann::ordered_json() : to_json(r.candidate.clips)}};
}

// A layer of a wino-gen-tuning/1 export (R, one pad) as /2 writes it.
nlohmann::json layer_from_v1(nlohmann::json layer) {
    if (!layer.is_object() || !layer.contains("R") || !layer.contains("pad")) return layer;
    layer["S"] = layer["R"];
    for (const char* side : {"pad_top", "pad_bottom", "pad_left", "pad_right"}) layer[side] = layer["pad"];
    layer.erase("pad");
    return layer;
}

TuningResult result_from_json(const nlohmann::json& j) {
    auto field = [](const nlohmann::json& o, const char* name) -> const nlohmann::json& {
        if (!o.is_object() || !o.contains(name)) throw InputError(fmt::format("lacks \"{}\"", name));
        return o.at(name);
    };
    try {
        TuningResult r;
        const nlohmann::json& d = field(j, "device");
        r.device = {parse_backend(field(d, "backend").get<std::string>(), "an imported result's backend"), field(d, "vendor_id").get<std::uint32_t>(),
                    field(d, "device_id").get<std::uint32_t>(), field(d, "driver").get<std::string>(),
                    field(d, "name").get<std::string>(), ""};
        const nlohmann::json& l = field(j, "layer");
        std::array<long long, layer_field_count> sizes;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            const LayerField& f = layer_fields()[i];
            sizes[i] = json_integer(field(l, f.name), f.min, f.max, fmt::format("layer field '{}'", f.name));
        }
        r.layer = checked_shape(sizes);
        r.kernels_hash = field(j, "kernels_hash").get<std::string>();
        r.version = field(j, "version").get<std::string>();
        r.candidate = config_from_json(field(j, "candidate"), r.device.backend);
        if (field(l, "precision") != to_string(r.candidate.precision))
            throw InputError(fmt::format("the layer's precision {} is not its candidate's, {}", field(l, "precision").dump(),
                                         to_string(r.candidate.precision)));
        if (l.value("pass", "forward") != to_string(r.candidate.pass))
            throw InputError(fmt::format("the layer's pass {} is not its candidate's, {}", l.value("pass", "forward"),
                                         to_string(r.candidate.pass)));
        const nlohmann::json& t = field(j, "time_ms");
        if (!t.is_null()) r.time_ms = t.get<double>();
        r.failure = field(j, "failure").get<std::string>();
        if (r.time_ms.has_value() == !r.failure.empty()) throw InputError("needs a time or a failure, not both");
        if (j.contains("rel_err") && !j["rel_err"].is_null()) {
            r.rel_err = j["rel_err"].get<double>();
            if (!(*r.rel_err >= 0) || !r.time_ms) throw InputError("\"rel_err\" is a passed result's error, 0 or more");
        }
        if (j.contains("clips") && !j["clips"].is_null()) r.candidate.clips = clips_from_json(j["clips"]);
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(e.what());
    }
}

}  // namespace

std::filesystem::path tuning_db_path(const std::string& flag) {
    if (!flag.empty()) return flag;
    if (const std::string e = env("WINO_TUNING_DB"); !e.empty()) return e;
    if (const std::string data = env("XDG_DATA_HOME"); !data.empty()) return std::filesystem::path(data) / "wino-gen/tuning.db";
    const std::string home = env("HOME");
    if (home.empty()) throw InputError("no tuning database path: set HOME, XDG_DATA_HOME or WINO_TUNING_DB, or name one");
    return std::filesystem::path(home) / ".local/share/wino-gen/tuning.db";
}

std::string kernels_hash(const ConvPlan& plan) {
    std::uint64_t h = 1469598103934665603ull;
    for (const EmittedKernel& k : plan.kernels)
        for (unsigned char c : k.source) h = (h ^ c) * 1099511628211ull;
    return fmt::format("{:016x}", h);
}

std::string current_kernels_hash(const ConvShape& layer, const Candidate& candidate, Backend backend) {
    try {
        return kernels_hash(make_plan(layer, candidate, backend));
    } catch (const InputError&) {
        return "";
    }
}

const char* to_string(TuningMatch match) {
    switch (match) {
        case TuningMatch::exact: return "exact";
        case TuningMatch::device: return "device";
        case TuningMatch::vendor: return "vendor";
        case TuningMatch::none: return "none";
    }
    return "?";
}

TuningDb::TuningDb(const std::filesystem::path& path, bool must_exist) : db_(std::make_unique<TuningDbConnection>()), path_(path) {
    db_->path = path.string();
    if (must_exist && !std::filesystem::exists(path)) throw InputError(fmt::format("no tuning database at {}", path.string()));
    if (std::filesystem::is_directory(path)) throw InputError(fmt::format("tuning database {} is a directory", path.string()));
    if (!must_exist && path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    const int flags = SQLITE_OPEN_READWRITE | (must_exist ? 0 : SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(db_->path.c_str(), &db_->handle, flags, nullptr) != SQLITE_OK) db_->fail("cannot open");
    sqlite3_busy_timeout(db_->handle, 30000);
    long long app = 0, version = 0;
    {
        // One statement, one snapshot: another process may be creating the file.
        Statement marks(*db_, "SELECT application_id, user_version FROM pragma_application_id(), pragma_user_version()");
        if (marks.step()) app = marks.integer(0), version = marks.integer(1);
    }
    if (app == 0 && version == 0) {
        // New (or empty) file: create the schema once, whoever gets there first.
        use_wal(*db_);
        db_->exec("BEGIN IMMEDIATE");
        if (db_->pragma("application_id") == 0) {
            Statement tables(*db_, "SELECT count(*) FROM sqlite_master");
            if (tables.step() && tables.integer(0) != 0) {
                db_->exec("ROLLBACK");
                throw InputError(fmt::format("{} is an SQLite file but not a wino-gen tuning database; it is left as it is",
                                             path.string()));
            }
            db_->exec(schema("results"));
            db_->exec(fmt::format("PRAGMA application_id = {}", application_id));
            db_->exec(fmt::format("PRAGMA user_version = {}", schema_version));
        }
        db_->exec("COMMIT");
    } else if (app != application_id) {
        throw InputError(fmt::format("{} is not a wino-gen tuning database; it is left as it is", path.string()));
    } else if (version > schema_version) {
        throw InputError(fmt::format("tuning database {} has schema {}, newer than this wino-gen's {}; upgrade wino-gen",
                                     path.string(), version, schema_version));
    } else if (version < schema_version) {
        // One transaction: a migration killed part way leaves the file as it was.
        // Another process may have migrated it since the version was read.
        db_->exec("BEGIN IMMEDIATE");
        try {
            const long long found = db_->pragma("user_version");
            if (found == 1) migrate_from_v1([this](const std::string& sql) { db_->exec(sql); });
            if (found == 2) db_->exec("ALTER TABLE results ADD COLUMN rel_err REAL");
            if (found == 2 || found == 3) db_->exec("ALTER TABLE results ADD COLUMN pass TEXT NOT NULL DEFAULT 'forward'");
            if (found >= 2 && found <= 4) db_->exec("ALTER TABLE results ADD COLUMN clips TEXT");
            if (found < schema_version) db_->exec(fmt::format("PRAGMA user_version = {}", schema_version));
            db_->exec("COMMIT");
        } catch (...) {
            sqlite3_exec(db_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
    Statement check(*db_, "PRAGMA quick_check");
    if (check.step() && check.text(0) != "ok")
        throw InputError(fmt::format("tuning database {} is corrupt ({}); it is left as it is", path.string(), check.text(0)));
}

TuningDb::~TuningDb() = default;

void TuningDb::record(const TuningResult& r) {
    Statement s(*db_, fmt::format("INSERT OR REPLACE INTO results ({}) VALUES ({})", all_columns(),
                                  placeholders(after_layer + 9)));
    bind_device(s, r.device);
    bind_layer(s, r.layer, r.candidate.precision, r.candidate.pass);
    s.bind(r.kernels_hash).bind(r.version).bind(candidate_key(r.candidate)).bind(r.time_ms).bind(r.failure).bind(r.rel_err);
    s.bind_text_or_null(r.candidate.clips.empty() ? std::nullopt : std::optional(to_json(r.candidate.clips).dump()));
    s.step();
}

std::optional<TuningResult> TuningDb::find(const DeviceIdentity& device, const ConvShape& layer, const std::string& hash,
                                           const Candidate& candidate) {
    Statement s(*db_, fmt::format("SELECT {} FROM results WHERE ({}) = ({})", all_columns(), key_columns(),
                                  placeholders(after_layer + 4)));
    bind_device(s, device);
    bind_layer(s, layer, candidate.precision, candidate.pass);
    s.bind(hash).bind(candidate_key(candidate));
    if (!s.step()) return std::nullopt;
    return result_of(s);
}

TuningChoice TuningDb::best(const DeviceIdentity& device, const ConvShape& layer,
                            const std::function<std::string(const Candidate&)>& current_hash, Precision precision,
                            Pass pass, std::optional<double> max_error) {
    // Under a budget, only results whose error is known and within it.
    const auto within = [&](const TuningResult& r) { return !max_error || (r.rel_err && *r.rel_err <= *max_error); };
    const struct {
        TuningMatch match;
        const char* where;
    } chain[] = {
        {TuningMatch::exact, "backend = ?1 AND vendor_id = ?2 AND device_id = ?3 AND driver = ?4 AND device = ?5"},
        {TuningMatch::device, "backend = ?1 AND vendor_id = ?2 AND device_id = ?3 AND device = ?5"},
        {TuningMatch::vendor, "backend = ?1 AND vendor_id = ?2"},
    };
    for (const auto& level : chain) {
        std::vector<std::string> numbered;
        for (int i = device_columns + 1; i <= after_layer + 2; ++i) numbered.push_back(fmt::format("?{}", i));
        Statement s(*db_, fmt::format("SELECT {} FROM results WHERE {} AND ({}, precision, pass) = ({}) AND time_ms IS NOT NULL "
                                      "ORDER BY time_ms",
                                      all_columns(), level.where, layer_columns(), fmt::join(numbered, ", ")));
        bind_device(s, device);
        bind_layer(s, layer, precision, pass);
        while (s.step()) {
            TuningResult r = result_of(s);
            if (within(r) && current_hash(r.candidate) == r.kernels_hash)
                return {level.match, r.candidate, *r.time_ms, std::nullopt, r.rel_err};
        }
        if (std::optional<TuningChoice> other =
                nearest_batch(level.match, level.where, device, layer, current_hash, precision, pass, max_error))
            return *other;
    }
    return {};
}

std::optional<TuningChoice> TuningDb::nearest_batch(TuningMatch match, const char* where, const DeviceIdentity& device,
                                                    const ConvShape& layer,
                                                    const std::function<std::string(const Candidate&)>& current_hash,
                                                    Precision precision, Pass pass, std::optional<double> max_error) {
    // The layer's columns but n, the precision and the pass equal; n (?6) another.
    std::vector<std::string> same;
    const std::vector<LayerField>& fields = layer_fields();
    for (std::size_t i = 1; i < fields.size(); ++i)
        same.push_back(fmt::format("{} = ?{}", layer_column(fields[i]), device_columns + 1 + static_cast<int>(i)));
    Statement s(*db_, fmt::format("SELECT {} FROM results WHERE {} AND {} AND precision = ?{} AND pass = ?{} AND {} != ?{} "
                                  "AND time_ms IS NOT NULL ORDER BY time_ms",
                                  all_columns(), where, fmt::join(same, " AND "), after_layer + 1, after_layer + 2,
                                  layer_column(fields[0]), device_columns + 1));
    bind_device(s, device);
    bind_layer(s, layer, precision, pass);
    std::optional<TuningChoice> nearest;
    const auto distance = [&](long long n) { return std::abs(std::log(static_cast<double>(n) / static_cast<double>(layer.N))); };
    while (s.step()) {
        TuningResult r = result_of(s);
        if ((max_error && (!r.rel_err || *r.rel_err > *max_error)) || current_hash(r.candidate) != r.kernels_hash) continue;
        const long long n = r.layer.N;
        // Rows come fastest first: an N's first current row is its best.
        if (!nearest || distance(n) < distance(*nearest->batch) - 1e-12 ||
            (std::abs(distance(n) - distance(*nearest->batch)) <= 1e-12 && n > *nearest->batch))
            nearest = TuningChoice{match, r.candidate, *r.time_ms, n, r.rel_err};
    }
    return nearest;
}

TuningChoice TuningDb::best_current(const DeviceIdentity& device, const ConvShape& layer, Precision precision, Pass pass,
                                    std::optional<double> max_error) {
    return best(device, layer, [&](const Candidate& c) { return current_kernels_hash(layer, c, device.backend); }, precision,
                pass, max_error);
}

std::vector<TuningResult> TuningDb::all() {
    Statement s(*db_, fmt::format("SELECT {} FROM results ORDER BY backend, device, {}, time_ms", all_columns(),
                                  layer_columns()));
    std::vector<TuningResult> out;
    while (s.step()) out.push_back(result_of(s));
    return out;
}

nlohmann::ordered_json TuningDb::export_json() {
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const TuningResult& r : all()) results.push_back(to_json(r));
    return {{"format", export_format}, {"results", results}};
}

int TuningDb::import_json(const nlohmann::json& file) {
    const std::string format = file.is_object() ? file.value("format", "") : "";
    if ((format != export_format && format != export_format_v2 && format != export_format_v1) || !file.contains("results") ||
        !file["results"].is_array())
        throw InputError(fmt::format("not a wino-gen tuning export (\"format\": \"{}\" with \"results\")", export_format));
    std::vector<TuningResult> rows;
    for (std::size_t i = 0; i < file["results"].size(); ++i) {
        try {
            nlohmann::json result = file["results"][i];
            if (format == export_format_v1 && result.is_object() && result.contains("layer"))
                result["layer"] = layer_from_v1(result["layer"]);
            rows.push_back(result_from_json(result));
        } catch (const InputError& e) {
            throw InputError(fmt::format("result {} of the import: {}", i, e.what()));
        }
    }
    db_->exec("BEGIN IMMEDIATE");
    int taken = 0;
    try {
        for (const TuningResult& r : rows) {
            const std::optional<TuningResult> held = find(r.device, r.layer, r.kernels_hash, r.candidate);
            const bool faster = !held || (r.time_ms && (!held->time_ms || *r.time_ms < *held->time_ms));
            if (!faster) continue;
            record(r);
            ++taken;
        }
        db_->exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return taken;
}

}  // namespace wino
