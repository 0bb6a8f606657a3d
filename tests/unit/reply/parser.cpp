#include <smtperr/reply/parser.hpp>

// Tests of the incremental reply parser: framing (RFC 5321 §4.2), split invariance, the
// error codes for malformed input, the bounds, recovery after an error, and the promise that
// parsing allocates nothing once the buffer has grown.
#include <smtperr/error/errc.hpp>
#include <smtperr/reply/enhanced_status.hpp>
#include <smtperr/reply/reply.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

// ---------------------------------------------------------------------------------------------
// A counting allocator. Replacing the global allocation functions affects the whole test
// program, so they only count while `counting` is on, and only around code that does not use
// doctest. Every non-aligned form is replaced so that new and delete always pair as
// malloc/free (sanitizers check the pairing); the aligned forms keep their default pair.

namespace {

bool counting = false;
std::size_t allocations = 0;

void* counted_malloc(std::size_t n) noexcept {
    if (counting) {
        ++allocations;
    }
    return std::malloc(n == 0 ? 1 : n);
}

void* counted_new(std::size_t n) {
    if (void* p = counted_malloc(n)) {
        return p;
    }
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t n) {
    return counted_new(n);
}
void* operator new[](std::size_t n) {
    return counted_new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return counted_malloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return counted_malloc(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace {

using smtperr::enhanced_status;
using smtperr::errc;
using smtperr::parser_limits;
using smtperr::reply_flags;
using smtperr::reply_parser;

// Counts the allocations made while it lives. No doctest macro may run inside.
class allocation_scope {
  public:
    allocation_scope() noexcept {
        allocations = 0;
        counting = true;
    }
    ~allocation_scope() { counting = false; }
    allocation_scope(const allocation_scope&) = delete;
    allocation_scope& operator=(const allocation_scope&) = delete;
};

// ---------------------------------------------------------------------------------------------
// What the parser produced: a reply or an error.

struct event {
    std::error_code error;  // set for an error event
    int code = 0;
    std::string text;
    std::size_t line_count = 0;
    std::optional<enhanced_status> status;
    std::uint8_t reported_class = 0;
    reply_flags flags;
    std::size_t end = 0;  // offset in the whole input just after the reply (replies only)
};

event reply_ev(int code, std::string text, std::size_t lines, reply_flags flags = {}) {
    event e;
    e.code = code;
    e.text = std::move(text);
    e.line_count = lines;
    e.flags = flags;
    return e;
}

event status_ev(int code, std::string text, std::size_t lines, enhanced_status s,
                std::uint8_t reported, reply_flags flags = {}) {
    event e = reply_ev(code, std::move(text), lines, flags);
    e.status = s;
    e.reported_class = reported;
    return e;
}

event error_ev(errc e) {
    event ev;
    ev.error = make_error_code(e);
    return ev;
}

bool same_flags(const reply_flags& a, const reply_flags& b) {
    return a.status_class_mismatch == b.status_class_mismatch &&
           a.status_inconsistent == b.status_inconsistent && a.long_line == b.long_line &&
           a.bare_lf == b.bare_lf;
}

// Errors compare by code only (where an error is reported depends on the split); replies by
// every field, and by where they end when `with_end`.
bool same_event(const event& a, const event& b, bool with_end) {
    if (a.error || b.error) {
        return a.error == b.error;
    }
    return a.code == b.code && a.text == b.text && a.line_count == b.line_count &&
           a.status == b.status && a.reported_class == b.reported_class &&
           same_flags(a.flags, b.flags) && (!with_end || a.end == b.end);
}

bool same_events(const std::vector<event>& a, const std::vector<event>& b, bool with_end) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same_event(a[i], b[i], with_end)) {
            return false;
        }
    }
    return true;
}

std::string escape(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char ch : s) {
        if (out.size() > 160) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\r') {
            out += "\\r";
        } else if (ch == '\n') {
            out += "\\n";
        } else if (u < 0x20 || u >= 0x7f) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

std::string describe(const event& e, bool with_end) {
    if (e.error) {
        return "error(" + e.error.message() + ")";
    }
    std::string s = "reply(" + std::to_string(e.code) + " \"" + escape(e.text) +
                    "\" lines=" + std::to_string(e.line_count);
    if (e.status) {
        s += " status=" + e.status->to_string();
    }
    s += " reported=" + std::to_string(e.reported_class);
    if (e.flags.status_class_mismatch) {
        s += " class_mismatch";
    }
    if (e.flags.status_inconsistent) {
        s += " inconsistent";
    }
    if (e.flags.long_line) {
        s += " long_line";
    }
    if (e.flags.bare_lf) {
        s += " bare_lf";
    }
    if (with_end) {
        s += " end=" + std::to_string(e.end);
    }
    return s + ")";
}

std::string describe(const std::vector<event>& events, bool with_end) {
    std::string s;
    for (const auto& e : events) {
        s += describe(e, with_end) + "; ";
    }
    return s;
}

// ---------------------------------------------------------------------------------------------
// Running the parser over chunks of input.

struct run_result {
    std::vector<event> events;
    bool in_progress = false;  // in_progress() after the last chunk
    std::error_code finish;    // finish() after the last chunk
    std::string broken;        // how feed() broke its contract, if it did
};

run_result run(const std::vector<std::string_view>& chunks, const parser_limits& limits) {
    reply_parser p(limits);
    run_result r;
    std::size_t offset = 0;
    for (std::string_view chunk : chunks) {
        int idle = 0;
        while (!chunk.empty()) {
            std::error_code ec;
            const std::size_t n = p.feed(chunk, ec);
            if (n > chunk.size()) {
                r.broken = "consumed more than it was given";
                return r;
            }
            offset += n;
            chunk.remove_prefix(n);
            idle = n == 0 ? idle + 1 : 0;
            if (ec) {
                if (p.has_reply()) {
                    r.broken = "an error and a reply at once";
                    return r;
                }
                r.events.push_back(event{ec, 0, {}, 0, {}, 0, {}, 0});
            } else if (p.has_reply()) {
                const smtperr::reply_view v = p.get();
                r.events.push_back(event{{},
                                         v.code,
                                         std::string(v.text),
                                         v.line_count,
                                         v.status,
                                         v.reported_status_class,
                                         v.flags,
                                         offset});
            } else if (!chunk.empty()) {
                r.broken = "stopped early without an error or a reply";
                return r;
            }
            if (idle > 1) {
                r.broken = "made no progress";
                return r;
            }
        }
    }
    r.in_progress = p.in_progress();
    r.finish = p.finish();
    return r;
}

std::vector<std::string_view> bytes_of(std::string_view s) {
    std::vector<std::string_view> v;
    for (std::size_t i = 0; i < s.size(); ++i) {
        v.push_back(s.substr(i, 1));
    }
    return v;
}

std::string describe(const run_result& r) {
    return describe(r.events, true) + "in_progress=" + (r.in_progress ? "1" : "0") +
           " finish=" + (r.finish ? r.finish.message() : "ok") +
           (r.broken.empty() ? "" : " BROKEN: " + r.broken);
}

bool same_run(const run_result& a, const run_result& b) {
    return a.broken.empty() && b.broken.empty() && same_events(a.events, b.events, true) &&
           a.in_progress == b.in_progress && a.finish == b.finish;
}

constexpr std::size_t three_chunk_max = 200;  // inputs up to this size get every 3-way split

// Feeds `in` byte by byte, in two chunks split at every index and (for short inputs) in three
// chunks split at every pair of indices; returns the first run that differs from `ref`.
std::string first_split_difference(std::string_view in, const parser_limits& limits,
                                   const run_result& ref) {
    if (const auto r = run(bytes_of(in), limits); !same_run(r, ref)) {
        return "byte by byte: " + describe(r);
    }
    for (std::size_t i = 0; i <= in.size(); ++i) {
        const auto r = run({in.substr(0, i), in.substr(i)}, limits);
        if (!same_run(r, ref)) {
            return "split at " + std::to_string(i) + ": " + describe(r);
        }
    }
    if (in.size() <= three_chunk_max) {
        for (std::size_t i = 0; i <= in.size(); ++i) {
            for (std::size_t j = i; j <= in.size(); ++j) {
                const auto r = run({in.substr(0, i), in.substr(i, j - i), in.substr(j)}, limits);
                if (!same_run(r, ref)) {
                    return "split at " + std::to_string(i) + " and " + std::to_string(j) + ": " +
                           describe(r);
                }
            }
        }
    }
    return {};
}

struct valid_case {
    std::string input;
    std::vector<event> want;
    parser_limits limits{};
};

// The input gives exactly `want`, whole and however split; each strict prefix gives a prefix
// of the replies and no error, and finish() calls it truncated unless it ends between replies.
void check_valid(const valid_case& c) {
    INFO("input: \"" << escape(c.input) << "\"");
    const std::string_view in = c.input;
    const run_result whole = run({in}, c.limits);
    REQUIRE(whole.broken == "");
    CHECK(describe(whole.events, false) == describe(c.want, false));
    REQUIRE(!whole.events.empty());
    CHECK(whole.events.back().end == in.size());
    CHECK(!whole.in_progress);
    CHECK(!whole.finish);

    CHECK(first_split_difference(in, c.limits, whole) == "");

    std::vector<std::size_t> boundaries{0};
    for (const auto& e : whole.events) {
        boundaries.push_back(e.end);
    }
    std::string first_bad_prefix;
    for (std::size_t len = 0; len < in.size() && first_bad_prefix.empty(); ++len) {
        const run_result r = run({in.substr(0, len)}, c.limits);
        const bool between =
            std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
        bool ok =
            r.broken.empty() && r.events.size() < whole.events.size() &&
            r.in_progress == !between &&
            r.finish == (between ? std::error_code{} : make_error_code(errc::truncated_reply));
        for (std::size_t i = 0; ok && i < r.events.size(); ++i) {
            ok = same_event(r.events[i], whole.events[i], true);
        }
        if (!ok) {
            first_bad_prefix = "prefix of " + std::to_string(len) + " octets: " + describe(r);
        }
    }
    CHECK(first_bad_prefix == "");
}

struct bad_case {
    std::string input;  // ends with the end of the offending line
    errc want;
    parser_limits limits{};
};

// The input gives exactly one error, `want`; the valid reply after it still comes out, whole
// and however the stream is split.
void check_malformed(const bad_case& c) {
    const std::string stream = c.input + "250 ok\r\n";
    INFO("input: \"" << escape(stream) << "\" want " << make_error_code(c.want).message());
    event ok = reply_ev(250, "ok", 1);
    ok.end = stream.size();
    const std::vector<event> want{error_ev(c.want), ok};
    const run_result whole = run({stream}, c.limits);
    REQUIRE(whole.broken == "");
    CHECK(describe(whole.events, true) == describe(want, true));
    CHECK(!whole.finish);
    CHECK(first_split_difference(stream, c.limits, whole) == "");
}

// "250 aaa…a\r\n" of exactly `total` octets.
std::string sized_line(std::string_view head, std::size_t total, std::string_view end = "\r\n") {
    std::string s(head);
    s.append(total - head.size() - end.size(), 'a');
    s.append(end);
    return s;
}

std::string filler(std::string_view head, std::size_t total, std::string_view end = "\r\n") {
    return std::string(total - head.size() - end.size(), 'a');
}

parser_limits strict() {
    parser_limits l;
    l.strict = true;
    return l;
}

// ---------------------------------------------------------------------------------------------
// Replies generated from RFC 5321's grammar (§4.2): Reply-code = %x32-35 %x30-35 %x30-39, text
// of HT and %d32-126, "-" on every line but the last, CRLF; for 2yz, 4yz and 5yz replies
// sometimes the same enhanced code (RFC 3463) at the start of every line.

using rng_t = std::mt19937_64;

std::size_t pick(rng_t& rng, std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
}

struct generated {
    std::string wire;
    event want;
};

// Up to `max_text` octets of textstring, never starting with a digit (so that it cannot read
// as an enhanced code the generator did not write).
std::string text_string(rng_t& rng, std::size_t max_text) {
    std::string t(pick(rng, 0, max_text), ' ');
    for (char& ch : t) {
        const std::size_t k = pick(rng, 0, 95);  // 95 printable octets and HT
        ch = k == 95 ? '\t' : static_cast<char>(' ' + k);
    }
    if (!t.empty() && t[0] >= '0' && t[0] <= '9') {
        t[0] = 'x';
    }
    return t;
}

generated generate_reply(rng_t& rng) {
    const int code =
        static_cast<int>(pick(rng, 2, 5) * 100 + pick(rng, 0, 5) * 10 + pick(rng, 0, 9));
    const std::size_t lines = pick(rng, 0, 9) == 0 ? pick(rng, 5, 40) : pick(rng, 1, 4);
    std::optional<enhanced_status> status;
    if (code / 100 != 3 && pick(rng, 0, 1) == 0) {
        // Small subjects and details most of the time, as servers write them.
        const auto part = [&] {
            return static_cast<std::uint16_t>(pick(rng, 0, 3) == 0 ? pick(rng, 0, 999)
                                                                   : pick(rng, 0, 9));
        };
        status = enhanced_status{static_cast<std::uint8_t>(code / 100), part(), part()};
    }
    // A line stays within 512 octets: "NNN-" + text + CRLF.
    const std::size_t max_text = pick(rng, 0, 7) == 0 ? 506 : 80;
    generated g;
    g.want.code = code;
    g.want.line_count = lines;
    g.want.status = status;
    g.want.reported_class = status ? status->cls : 0;
    for (std::size_t i = 0; i < lines; ++i) {
        std::string text = text_string(rng, max_text);
        if (status) {
            const std::string prefix = status->to_string();
            text =
                text.empty() ? prefix : prefix + " " + text.substr(0, max_text - prefix.size() - 1);
        }
        const bool last = i + 1 == lines;
        g.wire += std::to_string(code);
        // The last line's separator may go when there is no text: "250\r\n".
        if (!last || !text.empty() || pick(rng, 0, 1) == 0) {
            g.wire += last ? ' ' : '-';
        }
        g.wire += text + "\r\n";
        g.want.text += (i == 0 ? "" : "\n") + text;
    }
    return g;
}

// A few replies back to back, with what the parser must give for them.
generated generate_stream(rng_t& rng, std::vector<event>& want) {
    generated all;
    for (std::size_t n = pick(rng, 1, 5); n-- > 0;) {
        generated g = generate_reply(rng);
        all.wire += g.wire;
        g.want.end = all.wire.size();
        want.push_back(g.want);
    }
    return all;
}

// `in` cut at random places, down to single octets.
std::vector<std::string_view> random_chunks(rng_t& rng, std::string_view in) {
    std::vector<std::string_view> chunks;
    const std::size_t max_chunk = pick(rng, 1, 64);
    while (!in.empty()) {
        const std::size_t n = std::min(in.size(), pick(rng, 1, max_chunk));
        chunks.push_back(in.substr(0, n));
        in.remove_prefix(n);
    }
    return chunks;
}

}  // namespace

using namespace std::string_literals;

TEST_SUITE("smtperr/reply/parser.hpp") {
    // -----------------------------------------------------------------------------------------
    // Valid input.

    TEST_CASE(
        "multi-line replies, bare codes and both line ends parse however the input is split") {
        // hostile-servers A-04: check_valid() splits every input at every index.
        const valid_case cases[] = {
            {"250-mx.example.org\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n",
             {reply_ev(250, "mx.example.org\nPIPELINING\nAUTH PLAIN LOGIN", 3)}},
            {"250 ok\r\n", {reply_ev(250, "ok", 1)}},
            {"250-mx\n250 SIZE 1000\n", {reply_ev(250, "mx\nSIZE 1000", 2, {.bare_lf = true})}},
            {"250-mx\r\n250-a\n250 b\r\n", {reply_ev(250, "mx\na\nb", 3, {.bare_lf = true})}},
            {"250\r\n", {reply_ev(250, "", 1)}},
            {"250 \r\n", {reply_ev(250, "", 1)}},
            {"334 \r\n", {reply_ev(334, "", 1)}},
            {"354\n", {reply_ev(354, "", 1, {.bare_lf = true})}},
            {"250-\r\n250-\r\n250 \r\n", {reply_ev(250, "\n\n", 3)}},
            {"250-mx\r\n250\r\n", {reply_ev(250, "mx\n", 2)}},
            {"220-mx.example ESMTP\r\n220-policy text\r\n220 ready\r\n",
             {reply_ev(220, "mx.example ESMTP\npolicy text\nready", 3)}},
            {"421 4.7.0 closing\r\n", {status_ev(421, "4.7.0 closing", 1, {4, 7, 0}, 4)}},
            {"269 second digit above five\r\n", {reply_ev(269, "second digit above five", 1)}},
            {"599 x\r\n", {reply_ev(599, "x", 1)}},
            {"200 x\r\n", {reply_ev(200, "x", 1)}},
            {"250-a\r\n250 b\r\n", {reply_ev(250, "a\nb", 2)}, strict()},
            {"250\r\n", {reply_ev(250, "", 1)}, strict()},
        };
        for (const auto& c : cases) {
            check_valid(c);
        }
    }

    TEST_CASE("generated replies parse back to what was generated, whole and in random chunks") {
        // hostile-servers P-04: parse(serialize(r)) == r for replies from the grammar, in
        // lenient and strict mode alike (every line is within 512 octets and ends in CRLF).
        rng_t rng(20261130);
        std::size_t replies = 0;
        std::size_t with_status = 0;
        std::size_t multi_line = 0;
        for (int round = 0; round < 400; ++round) {
            std::vector<event> want;
            const generated g = generate_stream(rng, want);
            INFO("round " << round << ": \"" << escape(g.wire) << "\"");
            for (const auto& limits : {parser_limits{}, strict()}) {
                const run_result whole = run({g.wire}, limits);
                REQUIRE(whole.broken == "");
                REQUIRE(describe(whole.events, true) == describe(want, true));
                CHECK(!whole.in_progress);
                CHECK(!whole.finish);
                for (int k = 0; k < 4; ++k) {
                    const run_result split = run(random_chunks(rng, g.wire), limits);
                    CHECK(describe(split) == describe(whole));
                }
            }
            for (const auto& e : want) {
                ++replies;
                with_status += e.status ? 1U : 0U;
                multi_line += e.line_count > 1 ? 1U : 0U;
            }
        }
        // The generator reached what the property is about.
        CHECK(replies > 1000);
        CHECK(with_status > replies / 4);
        CHECK(multi_line > replies / 2);
    }

    TEST_CASE("lone CR, tabs, 8-bit bytes and leading digits are kept as text") {
        const valid_case cases[] = {
            {"250-First line\r\n250-234 Text beginning with numbers\r\n250 The last line\r\n",
             {reply_ev(250, "First line\n234 Text beginning with numbers\nThe last line", 3)}},
            {"250 a\rb\r\n", {reply_ev(250, "a\rb", 1)}},
            {"250 ok\r250 next\r\n", {reply_ev(250, "ok\r250 next", 1)}},
            {"250 ok\r\r\n", {reply_ev(250, "ok\r", 1)}},
            {"250 a\tb\r\n", {reply_ev(250, "a\tb", 1)}},
            {"550 caf\xc3\xa9 \xff\xfe\x80\r\n", {reply_ev(550, "caf\xc3\xa9 \xff\xfe\x80", 1)}},
            {"550 \x1b[2J\x7f\r\n", {reply_ev(550, "\x1b[2J\x7f", 1)}},
            {"250 a\rb\r\n", {reply_ev(250, "a\rb", 1)}, strict()},
        };
        for (const auto& c : cases) {
            check_valid(c);
        }
    }

    TEST_CASE("several replies back to back come out one at a time") {
        const valid_case cases[] = {
            {"250 2.1.0 Sender ok\r\n550 5.1.1 No such user\r\n250 2.1.5 ok\r\n"
             "354 End data with <CR><LF>.<CR><LF>\r\n",
             {status_ev(250, "2.1.0 Sender ok", 1, {2, 1, 0}, 2),
              status_ev(550, "5.1.1 No such user", 1, {5, 1, 1}, 5),
              status_ev(250, "2.1.5 ok", 1, {2, 1, 5}, 2),
              reply_ev(354, "End data with <CR><LF>.<CR><LF>", 1)}},
            {"250-a\r\n250 b\r\n421 bye\r\n", {reply_ev(250, "a\nb", 2), reply_ev(421, "bye", 1)}},
            // Flags and status belong to one reply and do not leak into the next.
            {"250 a\n251 b\r\n", {reply_ev(250, "a", 1, {.bare_lf = true}), reply_ev(251, "b", 1)}},
            {"550 4.2.2 x\r\n550 y\r\n",
             {status_ev(550, "4.2.2 x", 1, {5, 2, 2}, 4, {.status_class_mismatch = true}),
              reply_ev(550, "y", 1)}},
            {"550-5.1.1 a\r\n550 5.7.1 b\r\n550 5.7.1 c\r\n",
             {status_ev(550, "5.1.1 a\n5.7.1 b", 2, {5, 1, 1}, 5, {.status_inconsistent = true}),
              status_ev(550, "5.7.1 c", 1, {5, 7, 1}, 5)}},
        };
        for (const auto& c : cases) {
            check_valid(c);
        }
    }

    TEST_CASE("feed() stops just past each reply and the rest belongs to the next") {
        reply_parser p;
        std::error_code ec;
        const std::string_view in = "250 a\r\n251-b\r\n251 c\r\n";
        std::size_t n = p.feed(in, ec);
        CHECK(!ec);
        CHECK(n == 7);
        REQUIRE(p.has_reply());
        CHECK(p.get().code == 250);
        n = p.feed(in.substr(7), ec);
        CHECK(!ec);
        CHECK(n == in.size() - 7);
        REQUIRE(p.has_reply());
        CHECK(p.get().code == 251);
        CHECK(p.get().text == "b\nc");
        CHECK(p.get().line_count == 2);
    }

    TEST_CASE("feed() clears an error code left over from before") {
        reply_parser p;
        std::error_code ec = make_error_code(errc::timed_out);
        p.feed("250 ok\r\n", ec);
        CHECK(!ec);
        CHECK(p.has_reply());
    }

    TEST_CASE("in_progress() is true only while part of a reply is buffered") {
        reply_parser p;
        std::error_code ec;
        CHECK(!p.in_progress());
        p.feed("2", ec);
        CHECK(p.in_progress());
        p.feed("50-a\r\n", ec);
        CHECK(p.in_progress());
        CHECK(!p.has_reply());
        p.feed("250 b\r\n", ec);
        REQUIRE(p.has_reply());
        CHECK(!p.in_progress());
    }

    TEST_CASE("reset() drops a partial reply and the parser goes on") {
        reply_parser p;
        std::error_code ec;
        p.feed("250-a\r\n250-b", ec);
        REQUIRE(p.in_progress());
        p.reset();
        CHECK(!p.in_progress());
        CHECK(!p.has_reply());
        // Without the reset, 251 would be inconsistent with the buffered 250.
        p.feed("251 c\r\n", ec);
        CHECK(!ec);
        REQUIRE(p.has_reply());
        CHECK(p.get().code == 251);
        CHECK(p.get().text == "c");
        CHECK(p.get().line_count == 1);
        p.reset();
        CHECK(!p.has_reply());
        CHECK(!p.finish());
    }

    TEST_CASE("an empty feed consumes nothing and keeps a partial reply") {
        reply_parser p;
        std::error_code ec;
        CHECK(p.feed("", ec) == 0);
        CHECK(!ec);
        CHECK(!p.has_reply());
        p.feed("250-a\r\n", ec);
        CHECK(p.feed("", ec) == 0);
        CHECK(!ec);
        CHECK(p.in_progress());
        p.feed("250 b\r\n", ec);
        REQUIRE(p.has_reply());
        CHECK(p.get().text == "a\nb");
    }

    TEST_CASE("limits() returns the limits the parser was made with") {
        parser_limits l;
        l.max_line_length = 100;
        l.lenient_max_line_length = 200;
        l.max_lines = 7;
        l.max_reply_bytes = 300;
        l.strict = true;
        const reply_parser p(l);
        CHECK(p.limits().max_line_length == 100);
        CHECK(p.limits().lenient_max_line_length == 200);
        CHECK(p.limits().max_lines == 7);
        CHECK(p.limits().max_reply_bytes == 300);
        CHECK(p.limits().strict);
        const parser_limits d;
        CHECK(d.max_line_length == 512);
        CHECK(!d.strict);
    }

    // -----------------------------------------------------------------------------------------
    // Enhanced status codes as the parser attaches them.

    TEST_CASE("enhanced status codes are read from 2xx, 4xx and 5xx replies") {
        const valid_case cases[] = {
            {"550 5.1.1 <bob@example.com> User unknown\r\n",
             {status_ev(550, "5.1.1 <bob@example.com> User unknown", 1, {5, 1, 1}, 5)}},
            {"550-5.1.1 The email account that you tried to reach does not exist.\r\n"
             "550 5.1.1 https://support.google.com/mail/?p=NoSuchUser\r\n",
             {status_ev(550,
                        "5.1.1 The email account that you tried to reach does not exist.\n"
                        "5.1.1 https://support.google.com/mail/?p=NoSuchUser",
                        2, {5, 1, 1}, 5)}},
            {"250 2.0.0\r\n", {status_ev(250, "2.0.0", 1, {2, 0, 0}, 2)}},
            {"451 4.7.0\tTry later\r\n", {status_ev(451, "4.7.0\tTry later", 1, {4, 7, 0}, 4)}},
            {"250-mx\r\n250 2.0.0 ok\r\n", {status_ev(250, "mx\n2.0.0 ok", 2, {2, 0, 0}, 2)}},
            {"550-5.1.1 a\r\n550 b\r\n", {status_ev(550, "5.1.1 a\nb", 2, {5, 1, 1}, 5)}},
            {"554 5.999.999 x\r\n", {status_ev(554, "5.999.999 x", 1, {5, 999, 999}, 5)}},
            // Malformed enhanced codes stay text and give no status.
            {"550 5.1.1234 x\r\n", {reply_ev(550, "5.1.1234 x", 1)}},
            {"550 5..1 x\r\n", {reply_ev(550, "5..1 x", 1)}},
            {"550 5.1.1x\r\n", {reply_ev(550, "5.1.1x", 1)}},
            {"550 05.1.1 x\r\n", {reply_ev(550, "05.1.1 x", 1)}},
            {"550 5.1.1\rx\r\n", {reply_ev(550, "5.1.1\rx", 1)}},
        };
        for (const auto& c : cases) {
            check_valid(c);
        }
    }

    TEST_CASE("an enhanced class that disagrees with the basic code takes the basic code's") {
        check_valid({"550 4.2.2 Mailbox full\r\n",
                     {status_ev(550, "4.2.2 Mailbox full", 1, {5, 2, 2}, 4,
                                {.status_class_mismatch = true})}});
        check_valid(
            {"452 5.2.2 x\r\n",
             {status_ev(452, "5.2.2 x", 1, {4, 2, 2}, 5, {.status_class_mismatch = true})}});
        check_valid(
            {"250 5.0.0 odd\r\n",
             {status_ev(250, "5.0.0 odd", 1, {2, 0, 0}, 5, {.status_class_mismatch = true})}});
    }

    TEST_CASE("differing enhanced codes between lines keep the first and are flagged") {
        check_valid(
            {"550-5.1.1 a\r\n550 5.7.1 b\r\n",
             {status_ev(550, "5.1.1 a\n5.7.1 b", 2, {5, 1, 1}, 5, {.status_inconsistent = true})}});
        check_valid({"550-5.1.1 a\r\n550-5.1.1 b\r\n550 5.1.2 c\r\n",
                     {status_ev(550, "5.1.1 a\n5.1.1 b\n5.1.2 c", 3, {5, 1, 1}, 5,
                                {.status_inconsistent = true})}});
    }

    TEST_CASE("3xx replies never carry an enhanced status") {
        check_valid({"354 2.0.0 go ahead\r\n", {reply_ev(354, "2.0.0 go ahead", 1)}});
        check_valid({"334 5.7.8 \r\n", {reply_ev(334, "5.7.8 ", 1)}});
        check_valid({"354-3.0.0 a\r\n354 2.0.0 b\r\n", {reply_ev(354, "3.0.0 a\n2.0.0 b", 2)}});
    }

    // -----------------------------------------------------------------------------------------
    // Malformed input: one exact error, then the parser goes on with the next line.

    TEST_CASE("a code that is not three digits is invalid_code") {
        const bad_case cases[] = {
            {"2x0 ok\r\n", errc::invalid_code},
            {"abc\r\n", errc::invalid_code},
            {"\r\n", errc::invalid_code},
            {"\n", errc::invalid_code},
            {" 250 ok\r\n", errc::invalid_code},
            {"25 ok\r\n", errc::invalid_code},
            {"25\r\n", errc::invalid_code},
            {"2500 ok\r\n", errc::invalid_code},
            {"250-a\r\n2x0 b\r\n250 end\r\n", errc::invalid_code},
            {"250-a\r\n\r\n250 end\r\n", errc::invalid_code},
            {"\xff\xfe\r\n", errc::invalid_code},
            {"2x0 ok\n", errc::invalid_code, strict()},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
    }

    TEST_CASE("a first digit outside 2-5 is code_out_of_range") {
        const bad_case cases[] = {
            {"100 hi\r\n", errc::code_out_of_range},
            {"600 x\r\n", errc::code_out_of_range},
            {"000\r\n", errc::code_out_of_range},
            {"199\r\n", errc::code_out_of_range},
            {"999 x\r\n", errc::code_out_of_range},
            {"250-a\r\n650 b\r\n", errc::code_out_of_range},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
    }

    TEST_CASE("a continuation line with another code is inconsistent_code") {
        const bad_case cases[] = {
            {"250-a\r\n251 b\r\n", errc::inconsistent_code},
            {"421-a\r\n250 b\r\n", errc::inconsistent_code},
            {"250-a\r\n251-b\r\n250 end\r\n", errc::inconsistent_code},
            {"250-a\r\n250-b\r\n550 c\r\n", errc::inconsistent_code},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
    }

    TEST_CASE("a code followed by neither space, hyphen nor line end is missing_separator") {
        const bad_case cases[] = {
            {"250x\r\n", errc::missing_separator},
            {"250\tok\r\n", errc::missing_separator},
            {"250_\r\n", errc::missing_separator},
            {"250-a\r\n250+b\r\n250 end\r\n", errc::missing_separator},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
    }

    TEST_CASE("a CR after the code is a line end only with a LF after it") {
        check_valid({"250\r\n", {reply_ev(250, "", 1)}});
        const bad_case cases[] = {
            {"250\rok\r\n", errc::missing_separator},
            {"250\rok\r\n", errc::missing_separator, strict()},
            {"250\r\r\n", errc::missing_separator},
            {"250\r-b\n", errc::missing_separator},
            // In a multi-line reply the broken line is not its last: the rest goes with it.
            {"250-a\r\n250\r-b\r\n250 c\r\n", errc::missing_separator},
            // And so it does when another error breaks that line first (found in review:
            // the CR after the code made the line count as final, and "250 c" came out).
            {"250-a\r\n250\r-b\0\r\n250 c\r\n"s, errc::nul_byte},
            {"250-a\r\n250\r" + std::string(9000, 'x') + "\r\n250 c\r\n", errc::line_too_long},
            {"250-a\r\n250\r-b\n250 c\r\n", errc::bare_lf, strict()},
            {"250-a\r\n251\r-b\r\n250 c\r\n", errc::inconsistent_code},
            {"250-a\r\n650\r-b\r\n250 c\r\n", errc::code_out_of_range},
            // A bare other code ("251\r\n") is a final line: nothing after it is dropped.
            {"250-a\r\n251\r\n", errc::inconsistent_code},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
    }

    TEST_CASE("an error drops the broken reply up to its final line, never more") {
        parser_limits three;
        three.max_lines = 3;
        const bad_case cases[] = {
            // hostile-servers: the tail of a broken reply must not come out as a reply.
            {"250-a\r\n250-b\r\n250-c\r\n250 d\r\n", errc::too_many_lines, three},
            {"250-" + std::string(9000, 'x') + "\r\n250 2.0.0 ok\r\n", errc::line_too_long},
            {"550-5.1.1 a\r\n250-x\r\n550 5.1.1 b\r\n", errc::inconsistent_code},
            {"550-a\r\n550-b\0\r\n550 5.7.1 c\r\n"s, errc::nul_byte},
            // Garbage and continuation lines of the broken reply go too, in any number.
            {"550-a\r\nxyz\r\n550-b\r\n\r\n550-" + std::string(9000, 'y') + "\r\n550 c\r\n",
             errc::invalid_code},
            {"650-a\r\n650 b\r\n", errc::code_out_of_range},
            // A broken final line is all there is to drop.
            {"250 a\0b\r\n"s, errc::nul_byte},
            {"250-a\r\n251 b\r\n", errc::inconsistent_code},
            {"250-a\r\n250 \0\r\n"s, errc::nul_byte},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
        // A bare code ends the broken reply too, and the next reply comes out whole.
        const std::string stream = "250-a\r\n251-b\r\n250\r\n354-c\r\n354 d\r\n";
        const run_result r = run({stream}, {});
        CHECK(describe(r.events, false) ==
              describe({error_ev(errc::inconsistent_code), reply_ev(354, "c\nd", 2)}, false));
        CHECK(first_split_difference(stream, {}, r) == "");
    }

    TEST_CASE("a NUL octet in the code, the separator or the text is nul_byte") {
        const bad_case cases[] = {
            {"\0"
             "50 ok\r\n"s,
             errc::nul_byte},
            {"2\0"
             "0 ok\r\n"s,
             errc::nul_byte},
            {"250\0ok\r\n"s, errc::nul_byte},
            {"250 a\0b\r\n"s, errc::nul_byte},
            {"550 a\0b\xff\xfe\r\n"s, errc::nul_byte},
            {"250 ab\0\r\n"s, errc::nul_byte},
            {"250-a\r\n250 \0\r\n"s, errc::nul_byte},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
    }

    TEST_CASE("the first NUL or line end counts wherever it falls in the line") {
        // The text is scanned sixteen octets at a time, the last block overlapping the one
        // before; split input is scanned octet by octet. Every offset must agree.
        for (std::size_t len = 0; len <= 40; ++len) {
            const std::string text(len, 'a');
            check_valid({"250 " + text + "\r\n", {reply_ev(250, text, 1)}});
            for (std::size_t at = 0; at < len; ++at) {
                std::string with_nul = text;
                with_nul[at] = '\0';
                check_malformed({"250 " + with_nul + "\r\n", errc::nul_byte});
            }
        }
        // A NUL as the first octet past the line's limit: the limit is what was broken.
        parser_limits l = strict();
        l.max_line_length = 32;
        check_malformed({"250 " + std::string(27, 'a') + "\0\r\n"s, errc::nul_byte, l});
        check_malformed({"250 " + std::string(28, 'a') + "\0\r\n"s, errc::line_too_long, l});
    }

    TEST_CASE("a bare LF is bare_lf in strict mode") {
        const bad_case cases[] = {
            {"250 ok\n", errc::bare_lf, strict()},
            {"250\n", errc::bare_lf, strict()},
            {"250-a\r\n250 b\n", errc::bare_lf, strict()},
            {"250-a\n250 end\r\n", errc::bare_lf, strict()},
            {"250-ok\r\r\n250 x\n", errc::bare_lf, strict()},
        };
        for (const auto& c : cases) {
            check_malformed(c);
        }
        // Lenient mode takes the same line ends (and flags them).
        check_valid({"250-a\r\n250 b\n", {reply_ev(250, "a\nb", 2, {.bare_lf = true})}});
    }

    // -----------------------------------------------------------------------------------------
    // Bounds. Each test would fail if its check were removed.

    TEST_CASE("strict mode accepts a 512-octet line and rejects 513 as line_too_long") {
        // hostile-servers A-01.
        check_valid({sized_line("250 ", 512), {reply_ev(250, filler("250 ", 512), 1)}, strict()});
        check_valid({sized_line("250-", 512) + sized_line("250 ", 512),
                     {reply_ev(250, filler("250-", 512) + "\n" + filler("250 ", 512), 2)},
                     strict()});
        check_malformed({sized_line("250 ", 513), errc::line_too_long, strict()});
        check_malformed({"250-a\r\n" + sized_line("250 ", 513), errc::line_too_long, strict()});
        check_malformed({sized_line("250 ", 600), errc::line_too_long, strict()});
    }

    TEST_CASE("lenient mode flags lines over 512 octets and rejects lines over its cap") {
        check_valid({sized_line("250 ", 512), {reply_ev(250, filler("250 ", 512), 1)}});
        check_valid({sized_line("250 ", 513),
                     {reply_ev(250, filler("250 ", 513), 1, {.long_line = true})}});
        check_valid({sized_line("250 ", 8192),
                     {reply_ev(250, filler("250 ", 8192), 1, {.long_line = true})}});
        check_valid(
            {sized_line("250 ", 513, "\n"),
             {reply_ev(250, filler("250 ", 513, "\n"), 1, {.long_line = true, .bare_lf = true})}});
        check_malformed({sized_line("250 ", 8193), errc::line_too_long});
    }

    TEST_CASE("custom line limits apply to each line on its own") {
        parser_limits lenient;
        lenient.max_line_length = 32;
        lenient.lenient_max_line_length = 64;
        check_valid({sized_line("250 ", 32), {reply_ev(250, filler("250 ", 32), 1)}, lenient});
        check_valid({sized_line("250 ", 33),
                     {reply_ev(250, filler("250 ", 33), 1, {.long_line = true})},
                     lenient});
        check_valid({sized_line("250 ", 64),
                     {reply_ev(250, filler("250 ", 64), 1, {.long_line = true})},
                     lenient});
        check_malformed({sized_line("250 ", 65), errc::line_too_long, lenient});

        parser_limits tight = lenient;
        tight.strict = true;
        std::string four;
        std::string text;
        for (int i = 0; i < 3; ++i) {
            four += sized_line("250-", 32);
            text += filler("250-", 32) + "\n";
        }
        four += sized_line("250 ", 32);
        text += filler("250 ", 32);
        check_valid({four, {reply_ev(250, text, 4)}, tight});
        check_malformed({sized_line("250 ", 33), errc::line_too_long, tight});
        check_malformed(
            {sized_line("250-", 32) + sized_line("250 ", 33), errc::line_too_long, tight});
    }

    TEST_CASE("a reply with more lines than max_lines is too_many_lines") {
        parser_limits l;
        l.max_lines = 3;
        check_valid({"250-a\r\n250-b\r\n250 c\r\n", {reply_ev(250, "a\nb\nc", 3)}, l});
        check_valid({"250-a\r\n250-b\r\n250 c\r\n251-d\r\n251-e\r\n251 f\r\n",
                     {reply_ev(250, "a\nb\nc", 3), reply_ev(251, "d\ne\nf", 3)},
                     l});
        check_malformed(
            {"250-a\r\n250-b\r\n250-c\r\n250-d\r\n250 end\r\n", errc::too_many_lines, l});
        l.max_lines = 1;
        check_valid({"250 a\r\n", {reply_ev(250, "a", 1)}, l});
        check_malformed({"250-a\r\n250 end\r\n", errc::too_many_lines, l});

        std::string at_default;
        for (int i = 0; i < 127; ++i) {
            at_default += "250-x\r\n";
        }
        const std::string too_many = at_default + "250-x\r\n250 x\r\n";
        at_default += "250 x\r\n";
        const reply_parser p;
        REQUIRE(p.limits().max_lines == 128);
        std::string text;
        for (int i = 0; i < 128; ++i) {
            text += i == 0 ? "x" : "\nx";
        }
        check_valid({at_default, {reply_ev(250, text, 128)}});
        check_malformed({too_many, errc::too_many_lines});
    }

    TEST_CASE("a reply with more octets than max_reply_bytes is reply_too_large") {
        parser_limits l;
        l.max_reply_bytes = 20;
        check_valid({"250-aaaa\r\n250 bbbb\r\n", {reply_ev(250, "aaaa\nbbbb", 2)}, l});
        check_valid({"250-aaaa\r\n250 bbbb\r\n251-cccc\r\n251 dddd\r\n",
                     {reply_ev(250, "aaaa\nbbbb", 2), reply_ev(251, "cccc\ndddd", 2)},
                     l});
        check_malformed({"250-aaaa\r\n250 bbbbb\r\n", errc::reply_too_large, l});
        check_malformed({"250-aaaaaaaaaaaaaa\r\n250\r\n", errc::reply_too_large, l});
        check_malformed({"250 aaaaaaaaaaaaaaaa\r\n", errc::reply_too_large, l});
        // Line ends count: 19 octets with a bare LF fit, 21 with CRLF do not.
        check_valid(
            {"250-aaaa\r\n250 bbbb\n", {reply_ev(250, "aaaa\nbbbb", 2, {.bare_lf = true})}, l});
        check_malformed({"250-aaaa\r\n250 bbbb\r\r\n", errc::reply_too_large, l});
    }

    TEST_CASE("input that ends inside a reply gives truncated_reply from finish()") {
        const std::string_view partials[] = {
            "2",        "25",        "250",          "250 ",           "250 ok",
            "250 ok\r", "250-a\r\n", "250-a\r\n250", "250-a\r\n250 b", "250-a\n25",
        };
        for (const std::string_view in : partials) {
            INFO("input: \"" << escape(in) << "\"");
            reply_parser p;
            std::error_code ec;
            CHECK(p.feed(in, ec) == in.size());
            CHECK(!ec);
            CHECK(!p.has_reply());
            CHECK(p.finish() == make_error_code(errc::truncated_reply));
            CHECK(!p.finish());  // the partial reply is gone
            CHECK(!p.in_progress());
            p.feed("251 next\r\n", ec);
            CHECK(!ec);
            REQUIRE(p.has_reply());
            CHECK(p.get().code == 251);
            CHECK(p.get().text == "next");
            CHECK(p.get().line_count == 1);
        }
    }

    TEST_CASE("finish() is quiet when no partial reply is buffered") {
        reply_parser fresh;
        CHECK(!fresh.finish());

        reply_parser done;
        std::error_code ec;
        done.feed("250 ok\r\n", ec);
        REQUIRE(done.has_reply());
        CHECK(!done.finish());

        // An error was already reported for the broken line; finish() does not repeat it.
        reply_parser broken;
        broken.feed("2x0 still in the broken line", ec);
        CHECK(ec == errc::invalid_code);
        CHECK(!broken.finish());
    }

    TEST_CASE("an endless line errors once the cap is passed and consumes no more than the cap") {
        const std::string chunk(4096, 'x');
        for (const bool is_strict : {false, true}) {
            parser_limits l;
            l.strict = is_strict;
            const std::size_t cap = is_strict ? l.max_line_length : l.lenient_max_line_length;
            INFO("strict: " << is_strict);
            reply_parser p(l);
            std::error_code ec;
            std::size_t consumed = p.feed("250 ", ec);
            REQUIRE(!ec);
            std::size_t errors = 0;
            std::size_t consumed_at_error = 0;
            for (int i = 0; i < 256; ++i) {  // 1 MiB
                std::string_view rest = chunk;
                while (!rest.empty()) {
                    const std::size_t n = p.feed(rest, ec);
                    consumed += n;
                    rest.remove_prefix(n);
                    if (ec) {
                        CHECK(ec == errc::line_too_long);
                        if (errors++ == 0) {
                            consumed_at_error = consumed;
                        }
                    }
                    REQUIRE(!p.has_reply());
                    REQUIRE((n > 0 || ec));
                }
            }
            CHECK(errors == 1);
            CHECK(consumed_at_error == cap);
            CHECK(!p.in_progress());
            // The line ends at last; the next line is a new reply.
            const std::string_view tail = "\r\n250 ok\r\n";
            CHECK(p.feed(tail, ec) == tail.size());
            CHECK(!ec);
            REQUIRE(p.has_reply());
            CHECK(p.get().code == 250);
            CHECK(p.get().text == "ok");
        }
    }

    TEST_CASE("an endless multi-line reply errors at the line cap") {
        std::string stream;
        for (int i = 0; i < 100000; ++i) {
            stream += "250-x\r\n";
        }
        const auto feed_all = [&](reply_parser& p, std::size_t& first_error_at,
                                  std::error_code& first_error, std::size_t& errors) {
            std::string_view rest = stream;
            std::size_t consumed = 0;
            bool replies = false;
            while (!rest.empty()) {
                std::string_view chunk = rest.substr(0, 4096);
                rest.remove_prefix(chunk.size());
                while (!chunk.empty()) {
                    std::error_code ec;
                    const std::size_t n = p.feed(chunk, ec);
                    consumed += n;
                    chunk.remove_prefix(n);
                    replies = replies || p.has_reply();
                    if (n == 0 && !ec) {
                        return true;  // stuck: count it as a failure
                    }
                    if (ec && errors++ == 0) {
                        first_error = ec;
                        first_error_at = consumed;
                    }
                }
            }
            return replies;
        };

        // Default limits: 128 lines of 7 octets come long before 64 KiB.
        reply_parser p;
        std::size_t at = 0;
        std::size_t errors = 0;
        std::error_code first;
        CHECK(!feed_all(p, at, first, errors));
        CHECK(first == errc::too_many_lines);
        CHECK(at == 128 * 7);
        // The rest is the same broken reply, dropped without another error.
        CHECK(errors == 1);

        // With a generous line count, the byte cap triggers: within one line of 64 KiB.
        parser_limits l;
        l.max_lines = 1000000;
        reply_parser q(l);
        at = 0;
        errors = 0;
        CHECK(!feed_all(q, at, first, errors));
        CHECK(first == errc::reply_too_large);
        CHECK(at > l.max_reply_bytes - 7);
        CHECK(at <= l.max_reply_bytes + 4);
        CHECK(errors == 1);
    }

    // -----------------------------------------------------------------------------------------
    // Allocation.

    TEST_CASE("the allocation counter sees allocations made while it is on") {
        static char* volatile sink = nullptr;
        {
            const allocation_scope scope;
            sink = new char[64];
        }
        const std::size_t seen = allocations;
        delete[] sink;
        CHECK(seen == 1);
    }

    TEST_CASE("parsing allocates nothing once the buffer has grown") {
        // Every input here stays within the default limits.
        std::vector<std::string> valid = {
            "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250 AUTH PLAIN\r\n",
            "250 ok\r\n251 fwd\r\n354 go\r\n",
            "250-mx\n250 SIZE 1000\n",
            "250\r\n250 \r\n334 \r\n",
            "250 a\rb\r\n250 ok\r250 next\r\n",
            "550 caf\xc3\xa9 \xff\xfe\x80\r\n",
            "550-5.1.1 a\r\n550 5.7.1 b\r\n550 4.2.2 Mailbox full\r\n",
            "250-First line\r\n250-234 Text beginning with numbers\r\n250 The last line\r\n",
            sized_line("250 ", 513),
            sized_line("250 ", 8192),
        };
        std::string many_lines;
        for (int i = 0; i < 127; ++i) {
            many_lines += sized_line("250-", 500);
        }
        many_lines += sized_line("250 ", 500);
        valid.push_back(many_lines);
        std::size_t replies_per_pass = 0;
        {
            reply_parser counter;
            for (const auto& in : valid) {
                std::string_view rest = in;
                while (!rest.empty()) {
                    std::error_code ec;
                    const std::size_t n = counter.feed(rest, ec);
                    rest.remove_prefix(n);
                    REQUIRE(!ec);
                    REQUIRE(n > 0);
                    replies_per_pass += counter.has_reply() ? 1U : 0U;
                }
            }
        }
        REQUIRE(replies_per_pass == 17);

        const std::vector<std::string> malformed = {
            "2x0 ok\r\n",
            "100 hi\r\n",
            "250-a\r\n251 b\r\n",
            "250x\r\n",
            "250 a\0b\r\n"s,
            sized_line("250 ", 8193),
            "250-a\r\n" /* truncated */,
        };

        reply_parser p;
        const auto pass = [&p](const std::vector<std::string>& inputs, std::size_t& replies,
                               std::size_t& errors) {
            for (const auto& in : inputs) {
                std::string_view rest = in;
                while (!rest.empty()) {
                    std::error_code ec;
                    const std::size_t n = p.feed(rest, ec);
                    rest.remove_prefix(n);
                    if (ec) {
                        ++errors;
                    } else if (p.has_reply()) {
                        ++replies;
                    }
                    if (n == 0 && !ec) {
                        ++errors;  // stuck: no progress without an error
                        break;
                    }
                }
                if (p.finish()) {
                    ++errors;
                }
            }
        };
        std::size_t replies = 0;
        std::size_t errors = 0;
        pass(valid, replies, errors);  // warm-up: the buffer grows to the largest reply
        pass(malformed, replies, errors);
        replies = 0;
        errors = 0;
        std::size_t valid_allocations = 0;
        {
            const allocation_scope scope;
            for (int i = 0; i < 50; ++i) {
                pass(valid, replies, errors);
            }
            valid_allocations = allocations;
        }
        CHECK(valid_allocations == 0);
        CHECK(replies == 50 * replies_per_pass);
        CHECK(errors == 0);

        replies = 0;
        errors = 0;
        std::size_t malformed_allocations = 0;
        {
            const allocation_scope scope;
            for (int i = 0; i < 50; ++i) {
                pass(malformed, replies, errors);
            }
            malformed_allocations = allocations;
        }
        CHECK(malformed_allocations == 0);
        CHECK(errors == 50 * malformed.size());
        CHECK(replies == 0);
    }

    TEST_CASE("a fresh parser parses typical replies without allocating") {
        const std::string_view in =
            "220 mx.example.org ESMTP\r\n250-mx.example.org\r\n250-PIPELINING\r\n"
            "250 AUTH PLAIN LOGIN\r\n235 2.7.0 Authentication successful\r\n";
        reply_parser p;
        std::size_t replies = 0;
        std::size_t seen = 0;
        {
            const allocation_scope scope;
            std::string_view rest = in;
            while (!rest.empty()) {
                std::error_code ec;
                const std::size_t n = p.feed(rest, ec);
                rest.remove_prefix(n);
                replies += p.has_reply() ? 1U : 0U;
                if (n == 0) {
                    break;  // stuck; the reply count shows it
                }
            }
            seen = allocations;
        }
        CHECK(seen == 0);
        CHECK(replies == 3);
    }
}
