// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/classify/classify.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/error/status_code.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classify/bits.hpp"
#include "classify/forward_path.hpp"
#include "classify/help_url.hpp"
#include "classify/matcher.hpp"
#include "classify/rules.hpp"

namespace smtperr {

namespace detail {
namespace {

constexpr std::size_t max_words = 16;  // Up to 1024 distinct fragments.

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y) {
            return false;
        }
    }
    return true;
}

// Whether a link's `host` (perhaps absolute: one trailing dot) and what follows its
// authority (`rest`: path, query, fragment) are the help page `entry` names: a host, or a
// host and the start of a path, which ends there or at a '/', '?' or '#'.
bool help_page_matches(std::string_view host, std::string_view rest,
                       std::string_view entry) noexcept {
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    const auto slash = entry.find('/');
    if (!iequals(host, entry.substr(0, slash))) {
        return false;
    }
    if (slash == std::string_view::npos) {
        return true;
    }
    const auto path = entry.substr(slash);
    return rest.substr(0, path.size()) == path &&
           (path.back() == '/' || rest.size() == path.size() || rest[path.size()] == '/' ||
            rest[path.size()] == '?' || rest[path.size()] == '#');
}

// Whether a link's path (`rest`: what follows its authority) could lead out of the path it
// starts with once a browser resolves it: a "." or ".." segment, a percent-encoded dot
// (browsers decode "%2e" in segments too) or a backslash (read as '/').
bool escapes_path(std::string_view rest) noexcept {
    const auto path = rest.substr(0, rest.find_first_of("?#"));
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char ch = path[i];
        if (ch == '\\') {
            return true;
        }
        if (ch == '%' && i + 2 < path.size() && path[i + 1] == '2' &&
            (path[i + 2] == 'e' || path[i + 2] == 'E')) {
            return true;
        }
        if (ch == '.' && i > 0 && path[i - 1] == '/') {
            const bool two = i + 1 < path.size() && path[i + 1] == '.';
            const std::size_t end = i + (two ? 2 : 1);
            if (end == path.size() || path[end] == '/') {
                return true;
            }
        }
    }
    return false;
}

template <class F>
void for_each_alternative(std::string_view list, F&& f) {
    while (!list.empty()) {
        const auto bar = list.find('|');
        f(list.substr(0, bar));
        if (bar == std::string_view::npos) {
            break;
        }
        list.remove_prefix(bar + 1);
    }
}

struct fragment_set {
    std::array<std::uint64_t, max_words> bits{};
    bool empty = true;
};

// A rule's code field: 0 any negative code, 4 or 5 a class, else the exact code.
bool code_matches(int rule_code, int code) noexcept {
    return rule_code == 0   ? code >= 400
           : rule_code < 10 ? code / 100 == rule_code
                            : rule_code == code;
}

// A hash of a host-name suffix, eight octets at a time. Setting bit 5 lower-cases letters
// and leaves digits, '-' and '.' as they are; other octets may collide, which the
// comparison of the suffix itself then rules out.
std::uint64_t suffix_hash(std::string_view s) noexcept {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15u;
    std::uint64_t h = s.size() * k;
    for (std::size_t i = 0; i < s.size(); i += 8) {
        // Octet by octet into a register: copying a partial word to memory and loading it
        // whole stalls on store forwarding.
        std::uint64_t w = 0;
        for (std::size_t j = i; j < s.size() && j < i + 8; ++j) {
            w |= std::uint64_t{static_cast<unsigned char>(s[j]) | 0x20u} << (8 * (j - i));
        }
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    return h;
}

/// Host-name suffixes → provider: an open-addressing table. A host name is looked up by
/// the few suffixes of it that can be in the table (no more labels and octets than the
/// longest entry has), hashed a word at a time, instead of one search per entry.
class host_index {
  public:
    void insert(std::string_view suffix, int provider) {
        const std::uint64_t h = suffix_hash(suffix);
        for (std::size_t i = h % slots_.size();; i = (i + 1) % slots_.size()) {
            slot& sl = slots_[i];
            if (sl.provider < 0) {
                sl = {h, suffix, provider};
                ++used_;
                max_labels_ = std::max<std::size_t>(
                    max_labels_,
                    1 + static_cast<std::size_t>(std::count(suffix.begin(), suffix.end(), '.')));
                max_size_ = std::max(max_size_, suffix.size());
                return;
            }
            if (sl.hash == h && sl.suffix == suffix) {
                return;  // The first provider in table order keeps it.
            }
            if (used_ + 1 >= slots_.size()) {
                return;  // Full: the host-suffix tests catch a table that outgrew this.
            }
        }
    }

    /// The provider whose suffix `host` (no trailing dot, lower or upper case) has; the
    /// longest suffix decides. -1 if none.
    int find(std::string_view host) const noexcept {
        int found = -1;
        std::size_t labels = 0;
        for (std::size_t i = host.size(); i-- > 0 && host.size() - i <= max_size_;) {
            if (i != 0 && host[i - 1] != '.') {
                continue;
            }
            const std::string_view suffix = host.substr(i);
            const std::uint64_t h = suffix_hash(suffix);
            for (std::size_t k = h % slots_.size(); slots_[k].provider >= 0;
                 k = (k + 1) % slots_.size()) {
                if (slots_[k].hash == h && iequals(slots_[k].suffix, suffix)) {
                    found = slots_[k].provider;
                    break;
                }
            }
            if (++labels == max_labels_) {
                break;
            }
        }
        return found;
    }

  private:
    struct slot {
        std::uint64_t hash = 0;
        std::string_view suffix;
        int provider = -1;
    };
    std::array<slot, 128> slots_{};
    std::size_t used_ = 0;
    std::size_t max_labels_ = 0;  // Of the longest entry, in labels and in octets.
    std::size_t max_size_ = 0;
};

/// A set of rules, one bit per rule in table order.
struct rule_set {
    static constexpr std::size_t words = 4;
    std::array<std::uint64_t, words> bits{};

    void insert(std::size_t i) noexcept { bits[i / 64] |= std::uint64_t{1} << (i % 64); }
    rule_set& operator|=(const rule_set& o) noexcept {
        for (std::size_t w = 0; w < words; ++w) {
            bits[w] |= o.bits[w];
        }
        return *this;
    }
    rule_set& operator&=(const rule_set& o) noexcept {
        for (std::size_t w = 0; w < words; ++w) {
            bits[w] &= o.bits[w];
        }
        return *this;
    }
};

/// The compiled form of the tables: built once, immutable afterwards. Every condition of a
/// rule that does not depend on the enhanced code becomes a rule set, so that the rules
/// left for a reply are a few ANDs away.
struct engine {
    multi_matcher matcher;
    std::vector<fragment_set> rule_fragments;      // per rule
    std::vector<std::int16_t> signature_provider;  // per pattern: provider index or -1
    std::vector<rule_set> by_fragment;             // per pattern: the rules naming it
    rule_set plain;                                // rules without fragments
    std::array<rule_set, 400> by_code;             // per code 200..599: rules it satisfies
    std::array<rule_set, 16> by_phase;             // per phase; past the last: any phase only
    std::vector<rule_set> by_provider;             // per provider, last: none known
    rule_set not_oauth;                            // rules for mechanisms but OAuth ones
    rule_set not_password;                         // rules for the OAuth mechanisms
    bool built = false;         // false if the tables are unusable (see the constructor)
    std::uint16_t said_id = 0;  // "said:" (quoted remote reply)
    host_index hosts;

    engine() {
        static_assert(static_cast<std::size_t>(phase_count) <
                      std::tuple_size_v<decltype(by_phase)>);
        for (std::size_t p = 0; p < provider_count; ++p) {
            for_each_alternative(providers[p].host_suffixes, [&](std::string_view suffix) {
                hosts.insert(suffix, static_cast<int>(p));
            });
        }
        said_id = matcher.add("said:");
        rule_fragments.resize(rule_count);
        by_provider.resize(provider_count + 1);
        // Over capacity the rule sets cannot hold the table: build() below fails.
        const bool fits = rule_count <= rule_set::words * 64;
        for (std::size_t i = 0; i < rule_count; ++i) {
            for_each_alternative(rules[i].fragments, [&](std::string_view f) {
                const auto id = matcher.add(f);
                if (id >= max_words * 64) {
                    return;  // Over capacity: build() below fails; raise max_words.
                }
                rule_fragments[i].bits[id / 64] |= std::uint64_t{1} << (id % 64);
                rule_fragments[i].empty = false;
            });
            if (!fits) {
                continue;
            }
            if (rule_fragments[i].empty) {
                plain.insert(i);
            }
            for (int code = 200; code < 600; ++code) {
                if (code_matches(rules[i].code, code)) {
                    by_code[static_cast<std::size_t>(code - 200)].insert(i);
                }
            }
            for (std::size_t ph = 0; ph < by_phase.size(); ++ph) {
                if (rules[i].phases == any_phase || (rules[i].phases & (1u << ph)) != 0) {
                    by_phase[ph].insert(i);
                }
            }
            for (std::size_t p = 0; p <= provider_count; ++p) {
                if (rules[i].provider.empty() ||
                    (p < provider_count && providers[p].id == rules[i].provider)) {
                    by_provider[p].insert(i);
                }
            }
            if (rules[i].mech != mechanism::oauth) {
                not_oauth.insert(i);
            }
            if (rules[i].mech != mechanism::password) {
                not_password.insert(i);
            }
        }
        std::vector<std::pair<std::uint16_t, std::int16_t>> signatures;
        for (std::size_t p = 0; p < provider_count; ++p) {
            for_each_alternative(providers[p].signatures, [&](std::string_view f) {
                signatures.emplace_back(matcher.add(f), static_cast<std::int16_t>(p));
            });
        }
        // Unusable tables (a fragment too short or too long, more fragments than the match
        // set holds, more rules than a rule set holds) disable the text rules, which the
        // rule-table tests then catch.
        built = matcher.build() && matcher.pattern_count() <= max_words * 64 && fits;
        signature_provider.assign(matcher.pattern_count(), -1);
        for (const auto& [id, p] : signatures) {
            if (signature_provider[id] < 0) {
                signature_provider[id] = p;  // The first provider in table order keeps it.
            }
        }
        by_fragment.resize(matcher.pattern_count());
        for (std::size_t i = 0; i < rule_count && fits; ++i) {
            for (std::size_t id = 0; id < matcher.pattern_count() && id < max_words * 64; ++id) {
                if (rule_fragments[i].bits[id / 64] & (std::uint64_t{1} << (id % 64))) {
                    by_fragment[id].insert(i);
                }
            }
        }
    }
};

const engine& get_engine() {
    static const engine e;
    return e;
}

/// What the fragments found in a reply say: the rules they allow, the provider of the first
/// signature among them (in table order), whether it quotes a remote reply ("said:").
struct found_fragments {
    const engine& e;
    rule_set candidates;
    int signed_by = -1;
    bool said = false;

    /// The matcher's sink: ids as found, some perhaps more than once.
    static void add(void* self, const std::uint16_t* ids, std::size_t count) noexcept {
        auto& f = *static_cast<found_fragments*>(self);
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint16_t id = ids[i];
            f.candidates |= f.e.by_fragment[id];
            const int sp = f.e.signature_provider[id];
            if (sp >= 0 && (f.signed_by < 0 || sp < f.signed_by)) {
                f.signed_by = sp;
            }
            f.said = f.said || id == f.e.said_id;
        }
    }
};

bool is_oauth(std::string_view mech) noexcept {
    return iequals(mech, "XOAUTH2") || iequals(mech, "OAUTHBEARER");
}

// The provider whose host suffix `host` has (the longest suffix decides), or -1.
int detect_provider_by_host(const engine& e, std::string_view host) noexcept {
    while (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    if (host.empty() || host.size() > 256) {
        return -1;
    }
    return e.hosts.find(host);
}

// "<bob@example.org>" in a 251/551 text: the first bracketed text, if it is a plain address.
std::string_view extract_forward_path(std::string_view text) noexcept {
    const auto lt = text.find('<');
    if (lt == std::string_view::npos) {
        return {};
    }
    const auto gt = text.find('>', lt + 1);
    if (gt == std::string_view::npos) {
        return {};
    }
    const auto addr = text.substr(lt + 1, gt - lt - 1);
    return plain_forward_path(addr) ? addr : std::string_view{};
}

// The first http(s) link in the text to one of the provider's help pages (`pages`, as in
// provider_info::help_hosts).
// The link is handed on as written, so only the canonical lower-case scheme counts: a UI
// (or an Android intent filter) matches "https" as written, and a saved outbox refuses any
// other (fuzz_cli_classify found "httpS://support.google.com/…" passing here).
std::string_view extract_help_url(std::string_view text, std::string_view pages) noexcept {
    for (std::size_t sep = text.find("://"); sep != std::string_view::npos;
         sep = text.find("://", sep + 1)) {
        std::size_t pos = 0;
        if (sep >= 5 && text.substr(sep - 5, 5) == "https") {
            pos = sep - 5;
        } else if (sep >= 4 && text.substr(sep - 4, 4) == "http") {
            pos = sep - 4;
        } else {
            continue;
        }
        const std::size_t host_start = sep + 3;
        std::size_t end = host_start;
        while (end < text.size()) {
            const auto ch = static_cast<unsigned char>(text[end]);
            if (ch <= ' ' || ch >= 0x7f || ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
                ch == ')' || ch == ']') {
                break;
            }
            ++end;
        }
        std::size_t host_end = host_start;
        while (host_end < end && text[host_end] != '/' && text[host_end] != '?' &&
               text[host_end] != ':' && text[host_end] != '#') {
            ++host_end;
        }
        // A port is digits only: in "https://support.google.com:x@evil.example/" everything
        // before the '@' is user info, and a browser goes to evil.example.
        std::size_t authority_end = host_end;
        if (authority_end < end && text[authority_end] == ':') {
            do {
                ++authority_end;
            } while (authority_end < end && text[authority_end] >= '0' &&
                     text[authority_end] <= '9');
        }
        const auto host = text.substr(host_start, host_end - host_start);
        // Letters, digits, '-' and '.' only: no user info ('@'), no escapes, nothing a UI
        // could read as markup; and no empty label ("x..com", ".x.com").
        bool ok = (authority_end == end || text[authority_end] == '/' ||
                   text[authority_end] == '?' || text[authority_end] == '#') &&
                  !host.empty() && host.front() != '.' && host.find("..") == std::string_view::npos;
        for (const char hc : host) {
            ok = ok && ((hc >= 'a' && hc <= 'z') || (hc >= 'A' && hc <= 'Z') ||
                        (hc >= '0' && hc <= '9') || hc == '-' || hc == '.');
        }
        const auto rest = text.substr(authority_end, end - authority_end);
        bool listed = false;
        for_each_alternative(pages, [&](std::string_view page) {
            listed = listed || help_page_matches(host, rest, page);
        });
        ok = ok && listed && !escapes_path(rest);
        if (ok) {
            auto url = text.substr(pos, end - pos);
            while (!url.empty() && (url.back() == '.' || url.back() == ',')) {
                url.remove_suffix(1);
            }
            return url;
        }
        sep = end;
    }
    return {};
}

// A remote reply quoted inside the text. Postfix writes "... said: 550 5.1.1 <bob@x>: User
// unknown"; other MTAs and gateways quote "host mx [1.2.3.4]: 550 5.1.1 ...", "Remote Server
// returned '550 5.1.1 ...'" or qmail's "... (#5.1.1)".
struct quoted_reply {
    int code = 0;
    std::optional<enhanced_status> status;
};

bool is_digit(char ch) noexcept {
    return ch >= '0' && ch <= '9';
}

bool is_word_char(char ch) noexcept {
    return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '.' ||
           ch == '_';
}

// A 4xx/5xx code at `i`, followed by ' ', '-' or the end.
bool code_at(std::string_view text, std::size_t i) noexcept {
    return i + 3 <= text.size() && (text[i] == '4' || text[i] == '5') && is_digit(text[i + 1]) &&
           is_digit(text[i + 2]) &&
           (i + 3 == text.size() || text[i + 3] == ' ' || text[i + 3] == '-');
}

int code_value(std::string_view text, std::size_t i) noexcept {
    return (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
}

// An enhanced code right after the code at `i` ("550 5.1.1 "), of the code's class.
std::optional<enhanced_status> status_after_code(std::string_view text, std::size_t i) noexcept {
    if (i + 4 > text.size()) {
        return std::nullopt;
    }
    auto m = parse_enhanced_status(text.substr(i + 4));
    if (!m || m->status.cls != static_cast<std::uint8_t>(text[i] - '0')) {
        return std::nullopt;
    }
    return m->status;
}

quoted_reply find_said(std::string_view text) noexcept {
    quoted_reply q;
    std::size_t pos = 0;
    while ((pos = text.find("said:", pos)) != std::string_view::npos) {
        pos += 5;
        std::size_t i = pos;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) {
            ++i;
        }
        if (code_at(text, i)) {
            q.code = code_value(text, i);
            q.status = status_after_code(text, i);
            return q;
        }
    }
    return q;
}

// The position of the next '4' or '5' from `from` on (npos if none): '4' | 1 == '5' | 1,
// so one compare a block finds both.
std::size_t next_4_or_5(std::string_view text, std::size_t from) noexcept {
    const char* p = text.data();
    std::size_t i = from;
#if defined(__SSE2__)
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const int hits = _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(1)), _mm_set1_epi8('5')));
        if (hits != 0) {
            return i + lowest_bit(static_cast<unsigned>(hits));
        }
    }
#endif
    for (; i < text.size(); ++i) {
        if ((p[i] | 1) == '5') {
            return i;
        }
    }
    return std::string_view::npos;
}

// Without "said:": the first "NNN X.Y.Z" pair of one class that starts a word, else a
// qmail-style "#X.Y.Z" (status only). Only used when the reply has no enhanced code.
quoted_reply find_embedded(std::string_view text) noexcept {
    quoted_reply q;
    for (std::size_t i = next_4_or_5(text, 0); i < text.size() && text.size() - i >= 3;
         i = next_4_or_5(text, i + 1)) {
        if ((i == 0 || !is_word_char(text[i - 1])) && code_at(text, i)) {
            if (auto s = status_after_code(text, i)) {
                q.code = code_value(text, i);
                q.status = s;
                return q;
            }
        }
    }
    for (std::size_t i = text.find('#'); i != std::string_view::npos; i = text.find('#', i + 1)) {
        if (i + 1 < text.size() && (text[i + 1] == '4' || text[i + 1] == '5') &&
            (i == 0 || text[i - 1] == '(' || text[i - 1] == ' ')) {
            auto tail = text.substr(i + 1);
            std::size_t n = 0;
            while (n < tail.size() && (is_digit(tail[n]) || tail[n] == '.')) {
                ++n;
            }
            if (auto m = parse_enhanced_status(tail.substr(0, n))) {
                q.status = m->status;
                return q;
            }
        }
    }
    return q;
}

void apply_defaults(diagnosis& d, const rule* r) noexcept {
    const auto& def = defaults_by_condition[static_cast<int>(d.condition)];
    d.action = r && r->action != action::none ? r->action
               : d.transient                  ? def.transient_action
                                              : def.permanent_action;
    d.scope = r && r->scope >= 0 ? static_cast<scope>(r->scope) : def.scope;
    const std::uint32_t retry = r && r->retry_after ? r->retry_after : def.retry_after;
    if (retry != 0 && (d.transient || d.action == action::retry_later)) {
        d.retry_after_seconds = retry;
    }
    d.message_id = r && !r->message_id.empty() ? r->message_id : to_string(d.condition);
    if (d.condition == condition::recipient_mailbox_unavailable && d.transient &&
        (r == nullptr || r->message_id.empty())) {
        d.message_id = "recipient_mailbox_unavailable_temporary";
    }
    if (r && d.help_url.empty()) {
        d.help_url = r->help_url;
    }
}

}  // namespace

bool provider_help_url(std::string_view provider, std::string_view url) noexcept {
    for (std::size_t p = 0; p < provider_count; ++p) {
        if (providers[p].id == provider) {
            return !url.empty() && extract_help_url(url, providers[p].help_hosts) == url;
        }
    }
    return false;
}

}  // namespace detail

diagnosis classify(const reply_view& r, const classify_context& ctx) noexcept {
    using namespace detail;
    diagnosis d;
    d.code = make_error_code(reply_code{r.code});
    if (r.status) {
        d.status = make_error_code(*r.status);
    }
    d.phase = ctx.phase;
    d.transient = r.code / 100 == 4;
    if (r.code < 200 || r.code > 599) {
        // Not a reply code at all (the parser never yields one): a protocol violation.
        d.condition = condition::protocol_violation;
        d.transient = true;
        d.rule = "invalid_code";
        detail::apply_defaults(d, nullptr);
        return d;
    }

    if (r.code == 251 || r.code == 551) {
        d.forward_path = extract_forward_path(r.text);
    }
    if (r.code < 400) {
        // An XOAUTH2/OAUTHBEARER error arrives as a 334 challenge with a JSON status.
        if (r.code == 334 && ctx.phase == phase::auth && !r.text.empty()) {
            const bool oauth = is_oauth(ctx.sasl_mechanism);
            if (oauth || ctx.sasl_mechanism.empty()) {
                auto ch = decode_oauth_challenge(r.text);
                // With XOAUTH2/OAUTHBEARER a challenge after the initial response is always
                // an error report (RFC 7628 §3.2.2); without a status saying more, the token
                // is refreshed once. Without a mechanism only an explicit status counts.
                if (ch && (oauth || ch.value().token_invalid())) {
                    d.condition = condition::oauth_token_invalid;
                    d.rule = "oauth.challenge";
                } else if (!ch && oauth) {
                    // Still the error report, only garbled: the code says how, and the token
                    // is refreshed once like for a missing status (hostile-servers G-02).
                    d.code = ch.error();
                    d.condition = condition::oauth_token_invalid;
                    d.rule = "oauth.challenge_malformed";
                }
            }
        }
        detail::apply_defaults(d, nullptr);
        if (d.condition == condition::none) {
            d.action = action::none;
            d.retry_after_seconds.reset();
        }
        return d;
    }

    const engine& e = get_engine();
    // The rules whose fragments were found, and the provider of the first signature found
    // (in table order) unless the host names one.
    found_fragments found{e, e.plain};
    if (e.built) {
        e.matcher.scan(r.text, &found_fragments::add, &found);
    }
    int provider = detect_provider_by_host(e, ctx.host);
    if (provider < 0) {
        provider = found.signed_by;
    }
    if (provider >= 0) {
        d.provider = providers[provider].id;
        d.help_url = extract_help_url(r.text, providers[provider].help_hosts);
    }

    // Classify a quoted remote reply by what it says; the outer code keeps the class.
    int code = r.code;
    std::optional<enhanced_status> status = r.status;
    {
        quoted_reply q;
        if (found.said) {
            q = find_said(r.text);
        }
        if (q.code == 0 && !r.status) {
            q = find_embedded(r.text);
        }
        if (r.code / 100 == 5 &&
            ((q.code != 0 && q.code / 100 == 4) || (q.status && q.status->cls == 4))) {
            // A permanent reply quoting a temporary one stays what it says itself: the quote
            // must not bring in the rules of a temporary state ("greylisted").
            q = {};
        }
        if (q.code != 0) {
            code = q.code;
            status = q.status;
        } else if (q.status) {
            status = q.status;
        }
        if (status) {
            status->cls = static_cast<std::uint8_t>(r.code / 100);  // the outer code decides
        }
    }

    // Everything but the text and the enhanced code is a rule set; the first rule in table
    // order that is left and fits the enhanced code wins.
    rule_set candidates = found.candidates;
    candidates &= e.by_code[static_cast<std::size_t>(code - 200)];
    // A phase value outside the enum (a caller's cast) leaves only the rules for any phase.
    candidates &= e.by_phase[std::min(static_cast<std::size_t>(ctx.phase), e.by_phase.size() - 1)];
    candidates &=
        e.by_provider[provider >= 0 ? static_cast<std::size_t>(provider) : provider_count];
    candidates &= is_oauth(ctx.sasl_mechanism) ? e.not_password : e.not_oauth;
    const auto ph = static_cast<unsigned>(ctx.phase);
    const bool no_address =
        ph < static_cast<unsigned>(phase_count) && ((1u << ph) & p_no_address) != 0;
    const auto fits_status = [&](const rule& rl) {
        if (rl.kind == rule_kind::status_default) {
            if (!status)
                return false;
            const condition sc = default_condition(*status);
            // An enhanced code that says no more than the basic one does not decide, nor one
            // about a recipient where no address exists (it would blame one that does not).
            return sc != condition::transient_failure && sc != condition::permanent_failure &&
                   !(defaults_by_condition[static_cast<int>(sc)].scope == scope::recipient &&
                     no_address);
        }
        return (rl.subject < 0 || (status && status->subject == rl.subject)) &&
               (rl.detail < 0 || (status && status->detail == rl.detail));
    };
    std::size_t best = rule_count;
    for (std::size_t w = 0; w < rule_set::words && best == rule_count; ++w) {
        for (std::uint64_t bits = candidates.bits[w]; bits != 0; bits &= bits - 1) {
            const auto idx = w * 64 + lowest_bit(bits);
            if (fits_status(rules[idx])) {
                best = idx;
                break;
            }
        }
    }
    const rule* decided = nullptr;
    if (best < rule_count && rules[best].kind == rule_kind::status_default) {
        d.condition = default_condition(*status);
        d.rule = rules[best].id;
        detail::apply_defaults(d, nullptr);
        return d;
    }
    if (best < rule_count) {
        decided = &rules[best];
    }
    if (decided != nullptr) {
        d.condition = decided->condition;
        d.rule = decided->id;
    } else {
        d.condition = default_condition(code);
        if (d.condition == condition::none) {
            d.condition = d.transient ? condition::transient_failure : condition::permanent_failure;
        }
        d.rule = "basic_code";
    }
    detail::apply_defaults(d, decided);
    return d;
}

diagnosis classify(std::error_code failure, const classify_context& ctx) noexcept {
    diagnosis d;
    d.code = failure;
    d.phase = ctx.phase;
    d.rule = "transport";
    if (!failure) {
        detail::apply_defaults(d, nullptr);
        d.action = action::none;
        return d;
    }
    if (failure.category() == transport_category()) {
        for (std::size_t i = 0; i < detail::caller_error_rule_count; ++i) {
            const auto& rl = detail::caller_error_rules[i];
            if (failure == rl.value) {
                // Refused before anything was sent: correcting the input is the only cure, so
                // no retry, whatever the condition's defaults would say.
                d.condition = condition::permanent_failure;
                d.action = rl.action;
                d.scope = rl.scope;
                d.message_id = rl.message_id;
                return d;
            }
        }
    }
    const auto cond = failure.default_error_condition();
    if (cond.category() == condition_category()) {
        d.condition = static_cast<condition>(cond.value());
    } else if (failure == std::errc::timed_out) {
        d.condition = condition::timed_out;
    } else if (failure == std::errc::connection_refused || failure == std::errc::host_unreachable ||
               failure == std::errc::network_unreachable || failure == std::errc::network_down ||
               failure == std::errc::address_not_available) {
        d.condition = condition::connection_failed;
    }
    if (d.condition == condition::none) {
        // Anything else that broke the session (reset, EOF, broken pipe…) counts as a lost
        // connection, which RFC 5321 §3.8 treats like a 451.
        d.condition = condition::connection_lost;
    }
    // Only an error whose own category calls it permanent is one. Foreign errors (Asio,
    // the OS) are network trouble, and so is a value none of the library's categories
    // knows (a caller's cast, a newer version's value): worth a retry.
    d.transient = failure != failure_class::permanent;
    detail::apply_defaults(d, nullptr);
    if (failure == errc::host_not_found) {
        // Mostly a mistyped server name, sometimes a network without DNS: retried, but the
        // user is pointed at the server address (hostile-servers J-01).
        d.action = action::check_account_settings;
        d.message_id = "server_not_found";
    }
    if (ctx.phase == phase::data_end &&
        (d.condition == condition::connection_lost || d.condition == condition::timed_out)) {
        // Lost after the final dot: the server may have taken the message (RFC 5321 §6.1).
        d.message_id = "delivery_uncertain";
    }
    return d;
}

}  // namespace smtperr
