// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target for the `smtperr classify` stream (tools/classify_lines.hpp): JSON lines
// from a caller's file or pipe. Also replayed by smtperr_fuzz_regressions_cli_classify.
//
// Input layout: byte 0 picks the language (bit 0) and the piece sizes the input is fed in
// (the rest); byte 1 the line limit (0: the tool's 1 MiB, else 8 octets per unit); the rest
// is the input stream. Checked: the output does not depend on how the input is cut into
// pieces; there is exactly one output line per input line (a blank one too), in order; each is a
// JSON object (so valid UTF-8); a line over the limit gives the "too long" error; otherwise
// a line (the first after a byte order mark, if any) gives an "error" object exactly when
// it is not a JSON object (each key once) with
// a "reply" string that parses (without line ends after it), a known phase (or none) and string (or
// null) host and mechanism, and else every DESIGN.md key with the reply's code and phase, a
// list-view line of at most 90 characters and server text fit to show; an input "id" (a string or
// an integer; another kind is an error) comes back; failed() is true exactly when an error object
// was written.

#include <smtperr/classify/phase.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/reply/reply.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classify_lines.hpp"
#include "fuzz_check.hpp"

namespace smtperr_fuzz {
namespace {

using smtperr::language;

// The input, cut into pieces whose sizes come from `seed` (1 to 64 octets, or whole).
std::string run(std::string_view input, language lang, std::size_t max_line, unsigned seed,
                bool& failed) {
    smtperr::tool::line_classifier lines(lang, max_line);
    std::ostringstream out;
    std::uint32_t state = seed * 2654435761U + 1U;
    while (!input.empty()) {
        std::size_t n = input.size();
        if (seed != 0) {
            state = state * 1664525U + 1013904223U;
            n = std::min<std::size_t>(n, 1 + (state >> 26));
        }
        lines.feed(input.substr(0, n), out);
        input.remove_prefix(n);
    }
    lines.finish(out);
    failed = lines.failed();
    return out.str();
}

bool is_null_or_string(const boost::json::value* v) {
    return v == nullptr || v->is_null() || v->is_string();
}

// Whether `line` must classify (no "error"); its reply, phase and "id" (in `holder`), or
// `bad_id` for an id that is neither a string nor an integer (an error, not echoed).
bool must_classify(std::string_view line, smtperr::reply& parsed, std::optional<smtperr::phase>& ph,
                   const boost::json::value*& id, bool& bad_id, boost::json::value& holder) {
    boost::system::error_code ec;
    holder = boost::json::parse(line, ec);
    const auto* obj = ec ? nullptr : holder.if_object();
    if (obj == nullptr || smtperr::has_duplicate_keys(line)) {
        return false;
    }
    id = obj->if_contains("id");
    if (id != nullptr && !id->is_string() && !id->is_int64() && !id->is_uint64()) {
        id = nullptr;
        bad_id = true;
        return false;
    }
    const auto* reply = obj->if_contains("reply");
    const auto* phase = obj->if_contains("phase");
    if (reply == nullptr || !reply->is_string() || !is_null_or_string(phase) ||
        !is_null_or_string(obj->if_contains("host")) ||
        !is_null_or_string(obj->if_contains("mechanism"))) {
        return false;
    }
    if (phase != nullptr && phase->is_string()) {
        ph = smtperr::phase_from_string(phase->get_string());
        if (!ph) {
            return false;
        }
    }
    // Line ends and empty lines after the reply's last line are not part of it.
    std::string_view text = reply->get_string();
    text = text.substr(0, text.find_last_not_of("\r\n") + 1);
    auto r = smtperr::parse_reply(text);
    if (!r) {
        return false;
    }
    parsed = std::move(r).value();
    return true;
}

void check_shown(const boost::json::object& o, const char* key, std::string_view line) {
    const auto* v = o.if_contains(key);
    SMTPERR_FUZZ_CHECK(v != nullptr && v->is_string(), line);
    const std::string_view s = v->get_string();
    SMTPERR_FUZZ_CHECK(unfit_to_show(s) == nullptr, s);
}

// Checks the output line of input line `line`; true if it is an error object.
bool check_line(std::string_view line, std::string_view out_line, std::size_t max_line,
                bool first) {
    boost::system::error_code ec;
    const auto out = boost::json::parse(out_line, ec);
    SMTPERR_FUZZ_CHECK(!ec && out.is_object(), out_line);
    const auto& o = out.get_object();
    if (line.size() > max_line) {
        SMTPERR_FUZZ_CHECK(o.size() == 1 && o.contains("error"), out_line);
        SMTPERR_FUZZ_CHECK(
            std::string_view(o.at("error").as_string()).substr(0, 22) == "input line longer than",
            out_line);
        return true;
    }
    smtperr::reply parsed;
    std::optional<smtperr::phase> ph;
    const boost::json::value* id = nullptr;
    bool bad_id = false;
    boost::json::value holder;
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") {
        line.remove_prefix(3);  // A byte order mark before the input is ignored.
    }
    const bool good = must_classify(line, parsed, ph, id, bad_id, holder);
    SMTPERR_FUZZ_CHECK(good != o.contains("error"), out_line);
    if (id != nullptr) {
        SMTPERR_FUZZ_CHECK(o.contains("id") && o.at("id") == *id, out_line);
    }
    SMTPERR_FUZZ_CHECK(!bad_id || !o.contains("id"), out_line);
    if (!good) {
        SMTPERR_FUZZ_CHECK(o.at("error").is_string() && !o.at("error").get_string().empty(),
                           out_line);
        return true;
    }
    const auto r = parsed.view();
    SMTPERR_FUZZ_CHECK(
        o.contains("code") && o.at("code").is_int64() && o.at("code").get_int64() == r.code,
        out_line);
    const auto want_phase = ph ? *ph : smtperr::tool::typical_phase(r.code);
    SMTPERR_FUZZ_CHECK(o.contains("phase") && o.at("phase").is_string() &&
                           o.at("phase").get_string() == smtperr::to_string(want_phase),
                       out_line);
    for (const char* key : {"condition", "action", "scope"}) {
        SMTPERR_FUZZ_CHECK(o.contains(key) && o.at(key).is_string(), key);
    }
    SMTPERR_FUZZ_CHECK(o.contains("transient") && o.at("transient").is_bool(), out_line);
    SMTPERR_FUZZ_CHECK(
        o.contains("retry_after_seconds") &&
            (o.at("retry_after_seconds").is_null() || o.at("retry_after_seconds").is_number()),
        out_line);
    for (const char* key : {"status", "provider", "help_url"}) {
        SMTPERR_FUZZ_CHECK(o.contains(key) && is_null_or_string(&o.at(key)), key);
    }
    if (o.at("help_url").is_string()) {
        const std::string_view url = o.at("help_url").get_string();
        const std::string_view provider =
            o.at("provider").is_string() ? std::string_view(o.at("provider").get_string()) : "";
        const char* bad = untrusted_help_url(provider, url);
        SMTPERR_FUZZ_CHECK(bad == nullptr, std::string(bad ? bad : "") + ": " + std::string(url));
    }
    check_shown(o, "message", out_line);
    check_shown(o, "server_text", out_line);
    const auto chars = utf8_length(o.at("message").get_string());
    SMTPERR_FUZZ_CHECK(chars && *chars >= 1 && *chars <= 90, o.at("message").get_string());
    return false;
}

}  // namespace
}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace smtperr_fuzz;
    if (size < 2) {
        return 0;
    }
    const language lang = (data[0] & 1U) != 0 ? language::de : language::en;
    const unsigned seed = data[0] >> 1U;
    const std::size_t max_line =
        data[1] == 0 ? smtperr::tool::line_classifier::default_max_line : std::size_t{8} * data[1];
    const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

    bool failed_whole = false;
    const std::string whole = run(input, lang, max_line, 0, failed_whole);
    bool failed_cut = false;
    const std::string cut = run(input, lang, max_line, seed == 0 ? 1 : seed, failed_cut);
    SMTPERR_FUZZ_CHECK(whole == cut, "the output depends on how the input is cut");
    SMTPERR_FUZZ_CHECK(failed_whole == failed_cut, "failed() depends on the cut");

    // The input's lines, against the output's lines.
    std::vector<std::string_view> in_lines;
    for (std::string_view rest = input; !rest.empty();) {
        const auto lf = rest.find('\n');
        in_lines.push_back(rest.substr(0, lf));
        rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1);
    }
    std::vector<std::string_view> out_lines;
    for (std::string_view rest = whole; !rest.empty();) {
        const auto lf = rest.find('\n');
        SMTPERR_FUZZ_CHECK(lf != std::string_view::npos, "output line without a line feed");
        out_lines.push_back(rest.substr(0, lf));
        rest.remove_prefix(lf + 1);
    }
    SMTPERR_FUZZ_CHECK(in_lines.size() == out_lines.size(), whole);
    bool any_error = false;
    for (std::size_t i = 0; i < in_lines.size(); ++i) {
        any_error = check_line(in_lines[i], out_lines[i], max_line, i == 0) || any_error;
    }
    SMTPERR_FUZZ_CHECK(any_error == failed_whole, "failed() and the error objects disagree");
    return 0;
}
