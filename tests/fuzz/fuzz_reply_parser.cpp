// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target for smtperr::reply_parser (hostile-servers P-01). It is also compiled, with the
// normal compiler and without libFuzzer, into smtperr_fuzz_regressions
// (tests/fuzz/regressions.cpp), which runs LLVMFuzzerTestOneInput() on every saved input. So every
// check lives here.
//
// Input layout: the low three bits of the first byte say how many of the following bytes
// are chunk sizes (0..7); the rest is the byte stream a server sent. The stream is fed to
// the parser four times over with different limits, each time (1) whole, (2) in chunks of
// the given sizes, cycled (a size of 0 feeds an empty chunk), and (3) for short inputs one
// byte at a time. Every result is checked against the documented invariants, and the three
// ways of feeding must give the same replies and errors: the parser's header promises that
// "the result never depends on where the input was split".

#include <smtperr/error/errc.hpp>
#include <smtperr/reply/parser.hpp>
#include <smtperr/reply/reply.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace smtperr_fuzz {
namespace {

[[noreturn]] void fail(const char* what, const char* detail, int line) {
    std::fprintf(stderr, "fuzz_reply_parser.cpp:%d: invariant failed: %s%s%s\n", line, what,
                 detail[0] != '\0' ? " - " : "", detail);
    std::abort();
}

#define SMTPERR_FUZZ_CHECK(cond, detail)     \
    do {                                     \
        if (!(cond)) {                       \
            fail(#cond, (detail), __LINE__); \
        }                                    \
    } while (false)

struct limits_case {
    const char* name;
    smtperr::parser_limits limits;
};

smtperr::parser_limits make_limits(std::size_t line, std::size_t lenient_line, std::size_t lines,
                                   std::size_t bytes, bool strict) {
    smtperr::parser_limits l;
    l.max_line_length = line;
    l.lenient_max_line_length = lenient_line;
    l.max_lines = lines;
    l.max_reply_bytes = bytes;
    l.strict = strict;
    return l;
}

const limits_case limit_cases[] = {
    {"default", smtperr::parser_limits{}},
    {"strict", make_limits(512, 8192, 128, 65536, true)},
    {"small", make_limits(16, 40, 4, 100, false)},
    {"small strict", make_limits(24, 8192, 3, 64, true)},
};

/// The longest line the parser may accept, in octets including the code and line end.
std::size_t line_cap(const smtperr::parser_limits& l) {
    return l.strict ? l.max_line_length : std::max(l.max_line_length, l.lenient_max_line_length);
}

bool same_reply(const smtperr::reply& a, const smtperr::reply& b) {
    return a.code == b.code && a.text == b.text && a.line_count == b.line_count &&
           a.status == b.status && a.reported_status_class == b.reported_status_class &&
           a.flags.status_class_mismatch == b.flags.status_class_mismatch &&
           a.flags.status_inconsistent == b.flags.status_inconsistent &&
           a.flags.long_line == b.flags.long_line && a.flags.bare_lf == b.flags.bare_lf;
}

/// Everything the documentation promises about a completed reply.
void check_reply(const smtperr::reply_view& v, const smtperr::parser_limits& l) {
    SMTPERR_FUZZ_CHECK(v.code >= 200 && v.code <= 599, "basic code out of range");
    SMTPERR_FUZZ_CHECK(v.line_count >= 1, "a reply has at least one line");
    SMTPERR_FUZZ_CHECK(v.line_count <= l.max_lines, "more lines than max_lines");
    SMTPERR_FUZZ_CHECK(v.text.size() <= l.max_reply_bytes, "text longer than max_reply_bytes");
    const auto lfs = static_cast<std::size_t>(std::count(v.text.begin(), v.text.end(), '\n'));
    SMTPERR_FUZZ_CHECK(lfs + 1 == v.line_count, "line_count does not match the LFs in text");
    SMTPERR_FUZZ_CHECK(v.text.find('\0') == std::string_view::npos, "NUL in reply text");
    SMTPERR_FUZZ_CHECK(!(l.strict && v.flags.bare_lf), "bare LF accepted in strict mode");

    std::size_t total = 0;
    for (std::size_t i = 0; i < v.line_count; ++i) {
        const std::string_view line = v.line(i);
        SMTPERR_FUZZ_CHECK(line.find('\n') == std::string_view::npos, "LF inside line(i)");
        // Code (3) + line end (at least LF) are counted against the line limits too.
        SMTPERR_FUZZ_CHECK(line.size() + 4 <= line_cap(l), "line longer than the line cap");
        SMTPERR_FUZZ_CHECK(!(line.size() + 4 > l.max_line_length && !v.flags.long_line),
                           "long line without the long_line flag");
        total += line.size() + (i + 1 < v.line_count ? 1 : 0);
    }
    SMTPERR_FUZZ_CHECK(total == v.text.size(), "lines do not add up to the text");
    SMTPERR_FUZZ_CHECK(v.line(v.line_count).empty(), "line(line_count) is not empty");

    if (v.status) {
        SMTPERR_FUZZ_CHECK(v.status->cls == v.code / 100, "status class differs from the code");
        SMTPERR_FUZZ_CHECK(v.code / 100 != 3, "enhanced status on a 3yz reply");
        SMTPERR_FUZZ_CHECK(v.status->subject <= 999 && v.status->detail <= 999,
                           "status subject/detail out of range");
        const auto r = v.reported_status_class;
        SMTPERR_FUZZ_CHECK(r == 2 || r == 4 || r == 5, "reported status class not 2, 4 or 5");
        // Set when the first code's class disagrees, or when a later line's does.
        SMTPERR_FUZZ_CHECK(r == v.status->cls || v.flags.status_class_mismatch,
                           "status_class_mismatch not set for the first line");
        SMTPERR_FUZZ_CHECK(
            !v.flags.status_class_mismatch || r != v.status->cls || v.line_count >= 2,
            "status_class_mismatch set on a one-line reply that agrees");
    } else {
        SMTPERR_FUZZ_CHECK(v.reported_status_class == 0, "reported class without a status");
        SMTPERR_FUZZ_CHECK(!v.flags.status_class_mismatch && !v.flags.status_inconsistent,
                           "status flags without a status");
    }

    // The owning copy round-trips.
    const smtperr::reply owned(v);
    const smtperr::reply again(owned.view());
    SMTPERR_FUZZ_CHECK(same_reply(owned, again), "reply -> view -> reply changed it");
    SMTPERR_FUZZ_CHECK(owned.text == v.text, "owning copy has another text");
}

bool is_parser_error(const std::error_code& ec) {
    if (ec.category() != smtperr::transport_category()) {
        return false;
    }
    // Everything from line_too_long up to bare_lf; truncated_reply comes from finish() only
    // and trailing_data from parse_reply() only.
    const int v = ec.value();
    return v >= static_cast<int>(smtperr::errc::line_too_long) &&
           v < static_cast<int>(smtperr::errc::truncated_reply);
}

struct event {
    bool is_reply = false;
    std::error_code ec;   ///< For errors.
    smtperr::reply r;     ///< For replies.
    std::size_t end = 0;  ///< Absolute offset after the bytes consumed by that feed().
};

struct run_result {
    std::vector<event> events;
    std::error_code finish_ec;
};

/// After an error the parser must stay usable: after a line end and a final line (the
/// broken reply's last, if it had more), a good reply gets through.
void check_recovers(const smtperr::reply_parser& after_error) {
    smtperr::reply_parser p = after_error;
    std::string_view in = "\n250 ok\r\n250 ok\r\n";
    bool got = false;
    for (int guard = 0; !in.empty() && guard < 8; ++guard) {
        std::error_code ec;
        const std::size_t n = p.feed(in, ec);
        SMTPERR_FUZZ_CHECK(n <= in.size(), "consumed more than given (recovery)");
        in.remove_prefix(n);
        if (!ec && p.has_reply()) {
            const auto v = p.get();
            got = v.code == 250 && v.text == "ok" && v.line_count == 1;
        }
    }
    SMTPERR_FUZZ_CHECK(in.empty() && got, "parser did not recover after an error");
}

/// Feeds `data` in chunks of the given sizes (cycled; empty = all at once).
run_result run(std::string_view data, const smtperr::parser_limits& limits,
               const std::vector<std::size_t>& sizes) {
    smtperr::reply_parser p(limits);
    run_result out;
    std::size_t offset = 0;
    std::size_t next_size = 0;
    int zero_progress_errors = 0;
    while (offset < data.size()) {
        std::size_t len = data.size() - offset;
        if (!sizes.empty()) {
            len = std::min(len, sizes[next_size++ % sizes.size()]);
        }
        std::string_view chunk = data.substr(offset, len);
        do {
            std::error_code ec;
            const std::size_t n = p.feed(chunk, ec);
            SMTPERR_FUZZ_CHECK(n <= chunk.size(), "consumed more than given");
            offset += n;
            chunk.remove_prefix(n);
            if (ec) {
                SMTPERR_FUZZ_CHECK(is_parser_error(ec), "feed() gave a non-parser error");
                SMTPERR_FUZZ_CHECK(!p.has_reply(), "error and a reply at once");
                // An error may consume nothing, but the next feed() must move on.
                zero_progress_errors = n == 0 ? zero_progress_errors + 1 : 0;
                SMTPERR_FUZZ_CHECK(zero_progress_errors < 2, "two errors without progress");
                out.events.push_back(event{false, ec, {}, offset});
                check_recovers(p);
            } else if (p.has_reply()) {
                SMTPERR_FUZZ_CHECK(n >= 1, "a reply completed without consuming its LF");
                const auto v = p.get();
                check_reply(v, limits);
                out.events.push_back(event{true, {}, smtperr::reply(v), offset});
            } else {
                SMTPERR_FUZZ_CHECK(chunk.empty(), "stopped early without a reply or error");
            }
            if (!ec && n > 0) {
                zero_progress_errors = 0;
            }
        } while (!chunk.empty());
    }
    out.finish_ec = p.finish();
    SMTPERR_FUZZ_CHECK(!out.finish_ec || out.finish_ec == smtperr::errc::truncated_reply,
                       "finish() gave something other than truncated_reply");
    SMTPERR_FUZZ_CHECK(!p.in_progress() && !p.has_reply(), "finish() did not reset");

    // After finish() the parser takes a fresh stream.
    std::error_code ec;
    const std::string_view good = "250 ok\r\n";
    const std::size_t n = p.feed(good, ec);
    SMTPERR_FUZZ_CHECK(
        !ec && n == good.size() && p.has_reply() && p.get().code == 250 && p.get().text == "ok",
        "parser unusable after finish()");
    return out;
}

std::string describe(const event& e) {
    if (e.is_reply) {
        return "reply " + std::to_string(e.r.code) + " ending at " + std::to_string(e.end);
    }
    return "error '" + e.ec.message() + "' at " + std::to_string(e.end);
}

void check_same(const run_result& a, const run_result& b, const char* how, const char* limits) {
    std::string detail = std::string(how) + " vs whole input, limits " + limits + ": ";
    const std::size_t n = std::min(a.events.size(), b.events.size());
    for (std::size_t i = 0; i < n; ++i) {
        const event& x = a.events[i];
        const event& y = b.events[i];
        // Error offsets are where the parser stopped inside a chunk, which depends on the
        // chunk; only the error itself and the replies (with their end) must agree.
        const bool same = x.is_reply == y.is_reply &&
                          (x.is_reply ? same_reply(x.r, y.r) && x.end == y.end : x.ec == y.ec);
        if (!same) {
            detail += "event " + std::to_string(i) + ": " + describe(x) + " / " + describe(y);
            fail("same events however the input is split", detail.c_str(), __LINE__);
        }
    }
    if (a.events.size() != b.events.size()) {
        detail += std::to_string(a.events.size()) + " events / " + std::to_string(b.events.size()) +
                  " events";
        fail("same number of events however the input is split", detail.c_str(), __LINE__);
    }
    if (a.finish_ec != b.finish_ec) {
        detail += "finish() '" + a.finish_ec.message() + "' / '" + b.finish_ec.message() + "'";
        fail("same finish() however the input is split", detail.c_str(), __LINE__);
    }
}

/// parse_reply() on the whole input agrees with the parser.
void check_parse_reply(std::string_view data, const run_result& whole_default) {
    const auto r = smtperr::parse_reply(data);
    if (!r) {
        return;
    }
    check_reply(r.value().view(), smtperr::parser_limits{});
    // Without a final LF parse_reply() adds CRLF, which the fed stream lacks.
    if (!data.empty() && data.back() == '\n') {
        SMTPERR_FUZZ_CHECK(whole_default.events.size() == 1 && whole_default.events[0].is_reply,
                           "parse_reply() accepted what feed() did not");
        SMTPERR_FUZZ_CHECK(same_reply(whole_default.events[0].r, r.value()) &&
                               whole_default.events[0].end == data.size(),
                           "parse_reply() and feed() disagree");
    }
}

}  // namespace

void run_one(const std::uint8_t* bytes, std::size_t size) {
    std::vector<std::size_t> sizes;
    std::string_view data;
    if (size > 0) {
        const std::size_t k = std::min<std::size_t>(bytes[0] & 7u, size - 1);
        bool any_nonzero = false;
        for (std::size_t i = 1; i <= k; ++i) {
            sizes.push_back(bytes[i]);
            any_nonzero = any_nonzero || bytes[i] != 0;
        }
        if (!any_nonzero) {
            sizes.assign(1, 1);
        }
        data = std::string_view(reinterpret_cast<const char*>(bytes) + 1 + k, size - 1 - k);
    }

    const std::vector<std::size_t> whole_sizes;
    const std::vector<std::size_t> bytewise{1};
    for (const auto& lc : limit_cases) {
        const run_result whole = run(data, lc.limits, whole_sizes);
        const run_result chunked = run(data, lc.limits, sizes);
        check_same(chunked, whole, "chunked", lc.name);
        if (data.size() <= 4096) {
            const run_result single = run(data, lc.limits, bytewise);
            check_same(single, whole, "byte by byte", lc.name);
        }
        if (&lc == &limit_cases[0]) {
            check_parse_reply(data, whole);
        }
    }
}

}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    smtperr_fuzz::run_one(data, size);
    return 0;
}
