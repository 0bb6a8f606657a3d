// Test that the header file is self-contained.
#include <smtperr/classify/action.hpp>
#include <smtperr/classify/diagnosis.hpp>
#include <smtperr/error/condition.hpp>
#include <smtperr/messages/messages.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;

namespace {

using smtperr::action;
using smtperr::condition;
using smtperr::diagnosis;
using smtperr::language;
using smtperr::message_args;

constexpr std::array languages{language::en, language::de};

// Realistic worst cases: 40-character addresses and a 25 MiB limit.
constexpr std::string_view long_recipient = "maximilian.mustermann-schmidt@example.de";
constexpr std::string_view long_forward = "m.mustermann-schmidt@new-company.example";
static_assert(long_recipient.size() == 40);
static_assert(long_forward.size() == 40);
constexpr std::uint64_t size_25_mib = 26214400;

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

std::string lower_ascii(std::string_view s) {
    std::string r(s);
    for (auto& c : r) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return r;
}

/// Counts sentence ends: '.', '!' or '?', optionally followed by a closing quote or bracket,
/// then a space or the end of the text.
std::size_t sentences(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '.' && s[i] != '!' && s[i] != '?') {
            continue;
        }
        if (i + 1 == s.size() || s[i + 1] == ' ') {
            ++n;
        }
    }
    return n;
}

/// The action a condition typically gets (DESIGN.md defaults); the classifier may choose
/// another one, but the label of this one must exist.
action typical_action(condition c) {
    switch (c) {
        case condition::none:
            return action::none;
        case condition::authentication_required:
        case condition::authentication_failed:
            return action::reauthenticate;
        case condition::oauth_token_invalid:
            return action::refresh_token;
        case condition::app_password_required:
            return action::create_app_password;
        case condition::web_login_required:
        case condition::password_expired:
            return action::sign_in_via_web;
        case condition::authentication_unavailable:
        case condition::auth_mechanism_rejected:
        case condition::basic_auth_disabled:
        case condition::encryption_required:
        case condition::relay_denied:
        case condition::no_mail_service:
        case condition::tls_failed:
        case condition::starttls_unavailable:
            return action::check_account_settings;
        case condition::account_restricted:
        case condition::client_blocked:
            return action::contact_provider;
        case condition::sender_rejected:
        case condition::domain_policy_rejected:
            return action::check_sender_address;
        case condition::recipient_unknown:
        case condition::recipient_address_invalid:
        case condition::recipient_domain_invalid:
        case condition::recipient_mailbox_unavailable:
        case condition::recipient_not_local:
        case condition::international_address_unsupported:
        case condition::transaction_rejected:
            return action::check_recipients;
        case condition::recipient_mailbox_full:
        case condition::message_loop:
            return action::contact_recipient;
        case condition::too_many_recipients:
            return action::split_recipients;
        case condition::message_too_large:
            return action::reduce_message_size;
        case condition::spam_rejected:
        case condition::message_content_rejected:
            return action::edit_message;
        case condition::certificate_untrusted:
            return action::review_certificate;
        case condition::syntax_error:
        case condition::bad_sequence:
        case condition::not_implemented:
        case condition::protocol_violation:
        case condition::permanent_failure:
            return action::report_problem;
        case condition::authentication_temporary_failure:
        case condition::tls_unavailable:
        case condition::sending_quota_exceeded:
        case condition::rate_limited:
        case condition::greylisted:
        case condition::service_unavailable:
        case condition::server_error:
        case condition::server_storage_full:
        case condition::connection_failed:
        case condition::connection_lost:
        case condition::timed_out:
        case condition::transient_failure:
            return action::retry_later;
    }
    return action::none;
}

std::vector<condition> all_conditions() {
    std::vector<condition> r;
    for (int i = 0; i < smtperr::condition_count; ++i) {
        r.push_back(static_cast<condition>(i));
    }
    return r;
}

/// The catalog's message ids that are no condition's name, read from its source, so that
/// an entry added there is checked here without being listed (every rule's message id is
/// checked to have an entry in tests/unit/classify/rule_table.cpp).
std::vector<std::string> specific_ids() {
    std::ifstream in(std::string(SMTPERR_SHARED_DIR) + "/../src/messages/catalog.cpp");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string src = text.str();
    std::vector<std::string> ids;
    const std::string_view head = "\n    {\"";
    for (auto pos = src.find(head); pos != std::string::npos; pos = src.find(head, pos + 1)) {
        const auto start = pos + head.size();
        const auto end = src.find('"', start);
        const std::string id = src.substr(start, end - start);
        const auto all = all_conditions();
        if (src.compare(end, 4, "\", {") == 0 &&
            std::none_of(all.begin(), all.end(),
                         [&](condition c) { return smtperr::to_string(c) == id; })) {
            ids.push_back(id);
        }
    }
    return ids;
}

diagnosis make_diagnosis(condition c, std::string_view id = {}) {
    diagnosis d;
    d.condition = c;
    d.action = typical_action(c);
    d.message_id = id.empty() ? smtperr::to_string(c) : id;
    return d;
}

/// Arguments naming only a recipient.
message_args to(std::string_view recipient) {
    message_args a;
    a.recipient = recipient;
    return a;
}

/// Every combination of known and unknown facts.
std::vector<message_args> all_arg_combinations() {
    std::vector<message_args> r;
    for (int mask = 0; mask < 8; ++mask) {
        message_args a;
        if ((mask & 1) != 0) {
            a.recipient = long_recipient;
        }
        if ((mask & 2) != 0) {
            a.size_limit = size_25_mib;
        }
        if ((mask & 4) != 0) {
            a.forward_path = long_forward;
        }
        r.push_back(a);
    }
    return r;
}

void check_texts(const diagnosis& d, language lang) {
    for (const auto& args : all_arg_combinations()) {
        const auto t = smtperr::render_message(d, lang, args);
        INFO("id ", d.message_id, ", lang ", smtperr::to_string(lang), ", recipient '",
             args.recipient, "', limit ", args.size_limit.value_or(0), ", forward '",
             args.forward_path, "'");
        CHECK(!t.list_line.empty());
        CHECK(code_points(t.list_line) <= 90);
        CHECK(t.list_line.find_first_of("{}\n") == std::string::npos);
        CHECK(t.list_line.back() != '.');
        CHECK(!t.detail.empty());
        CHECK(t.detail.find_first_of("{}\n") == std::string::npos);
        const auto n = sentences(t.detail);
        CHECK(n >= 2);
        CHECK(n <= 4);
    }
}

/// Every German text the catalog can produce.
std::vector<std::string> german_texts() {
    std::vector<std::string> r;
    auto ids = specific_ids();
    for (const auto c : all_conditions()) {
        ids.emplace_back(smtperr::to_string(c));
    }
    for (const auto& id : ids) {
        for (const auto& args : all_arg_combinations()) {
            auto t =
                smtperr::render_message(make_diagnosis(condition::none, id), language::de, args);
            r.push_back(std::move(t.list_line));
            r.push_back(std::move(t.detail));
        }
    }
    for (int a = 0; a < smtperr::action_count; ++a) {
        r.emplace_back(smtperr::action_label(static_cast<action>(a), language::de));
    }
    return r;
}

}  // namespace

TEST_SUITE("smtperr/messages/messages.hpp") {
    TEST_CASE("every condition has a list line, a detail and an action label in every language") {
        // A condition missing from the catalog would render the fallback's texts, so each
        // must have texts of its own: no two conditions share a detail paragraph.
        std::map<std::string, std::string> first_with_detail;
        for (const auto c : all_conditions()) {
            REQUIRE(!smtperr::to_string(c).empty());
            for (const auto lang : languages) {
                const auto detail = smtperr::render_message(make_diagnosis(c), lang).detail;
                const auto [it, fresh] =
                    first_with_detail.emplace(detail, std::string(smtperr::to_string(c)));
                INFO(smtperr::to_string(c), " has the detail of ", it->second);
                CHECK(fresh);
                const auto d = make_diagnosis(c);
                check_texts(d, lang);
                if (c != condition::none) {
                    INFO(smtperr::to_string(c));
                    CHECK(!smtperr::render_message(d, lang).action_label.empty());
                }
            }
        }
    }

    TEST_CASE("the more specific message ids have complete texts") {
        const auto ids = specific_ids();
        CHECK(ids.size() >= 11);
        CHECK(std::count(ids.begin(), ids.end(), "helo_rejected") == 1);
        for (const auto& id : ids) {
            for (const auto lang : languages) {
                const auto d = make_diagnosis(condition::transient_failure, id);
                check_texts(d, lang);
                // They are really entries of their own, not the fallback.
                CHECK(smtperr::render_message(d, lang).list_line !=
                      smtperr::render_message(make_diagnosis(condition::transient_failure), lang)
                          .list_line);
            }
        }
    }

    TEST_CASE("every action has a label in both languages") {
        CHECK(smtperr::action_label(action::none, language::en).empty());
        CHECK(smtperr::action_label(action::none, language::de).empty());
        for (int i = 1; i < smtperr::action_count; ++i) {
            const auto a = static_cast<action>(i);
            INFO(smtperr::to_string(a));
            const auto en = smtperr::action_label(a, language::en);
            const auto de = smtperr::action_label(a, language::de);
            CHECK(!en.empty());
            CHECK(!de.empty());
            CHECK(en != de);
            CHECK(code_points(en) <= 30);
            CHECK(code_points(de) <= 30);
        }
        CHECK(smtperr::action_label(action::reauthenticate, language::de) ==
              "Passwort aktualisieren");
        CHECK(smtperr::action_label(action::reauthenticate, language::en) == "Update password");
        CHECK(smtperr::action_label(action::create_app_password, language::de) ==
              "App-Passwort erstellen");
        CHECK(smtperr::action_label(action::create_app_password, language::en) ==
              "Create app password");
        CHECK(smtperr::action_label(action::retry_later, language::de) == "Später erneut senden");
        CHECK(smtperr::action_label(action::retry_later, language::en) == "Retry later");
        CHECK(smtperr::action_label(action::check_recipients, language::de) == "Empfänger prüfen");
        CHECK(smtperr::action_label(action::check_recipients, language::en) == "Check recipients");
        CHECK(smtperr::action_label(static_cast<action>(200), language::en).empty());
    }

    TEST_CASE("render_message uses the action of the diagnosis") {
        auto d = make_diagnosis(condition::authentication_failed);
        CHECK(smtperr::render_message(d, language::de).action_label == "Passwort aktualisieren");
        d.action = action::create_app_password;
        CHECK(smtperr::render_message(d, language::en).action_label == "Create app password");
        d.action = action::none;
        CHECK(smtperr::render_message(d, language::en).action_label.empty());
    }

    TEST_CASE("placeholders are filled with the facts, and left out when they are unknown") {
        const message_args args{long_recipient, size_25_mib, long_forward};
        for (const auto lang : languages) {
            INFO(smtperr::to_string(lang));
            for (const auto c :
                 {condition::recipient_unknown, condition::recipient_address_invalid,
                  condition::recipient_domain_invalid, condition::recipient_mailbox_full,
                  condition::recipient_mailbox_unavailable,
                  condition::international_address_unsupported}) {
                INFO(smtperr::to_string(c));
                const auto t = smtperr::render_message(make_diagnosis(c), lang, args);
                CHECK(contains(t.list_line, long_recipient));
                CHECK(contains(t.detail, long_recipient));
                const auto plain = smtperr::render_message(make_diagnosis(c), lang);
                CHECK(!contains(plain.list_line, "@"));
            }
            const auto big =
                smtperr::render_message(make_diagnosis(condition::message_too_large), lang, args);
            CHECK(contains(big.list_line, "25 MB"));
            CHECK(contains(big.detail, "25 MB"));

            const auto moved =
                smtperr::render_message(make_diagnosis(condition::recipient_not_local), lang, args);
            CHECK(contains(moved.list_line, long_forward));
            CHECK(contains(moved.detail, long_forward));

            // Without a forward-path the recipient is named instead.
            const auto moved_rcpt = smtperr::render_message(
                make_diagnosis(condition::recipient_not_local), lang, to(long_recipient));
            CHECK(contains(moved_rcpt.list_line, long_recipient));
        }
        const auto de = smtperr::render_message(make_diagnosis(condition::recipient_unknown),
                                                language::de, to("bob@example.com"));
        CHECK(de.list_line == "Empfänger bob@example.com unbekannt – Adresse prüfen");
    }

    TEST_CASE("the forward-path comes from the diagnosis unless the arguments name one") {
        auto d = make_diagnosis(condition::recipient_not_local);
        d.forward_path = "bob@new.example";
        CHECK(contains(smtperr::render_message(d, language::en).list_line, "bob@new.example"));
        message_args args;
        args.forward_path = "<alice@other.example>";
        const auto t = smtperr::render_message(d, language::de, args);
        CHECK(contains(t.list_line, "alice@other.example"));
        CHECK(!contains(t.list_line, "<"));
        CHECK(!contains(t.list_line, "bob@new.example"));
    }

    TEST_CASE("size limits read as people write them") {
        const auto line = [](std::uint64_t limit, language lang) {
            message_args a;
            a.size_limit = limit;
            return smtperr::render_message(make_diagnosis(condition::message_too_large), lang, a)
                .list_line;
        };
        CHECK(contains(line(26214400, language::en), " 25 MB"));
        CHECK(contains(line(26214400, language::de), " 25 MB"));
        CHECK(contains(line(1572864, language::de), " 1,5 MB"));
        CHECK(contains(line(1572864, language::en), " 1.5 MB"));
        CHECK(contains(line(20000000, language::de), " 20 MB"));    // decimal megabytes
        CHECK(contains(line(35882577, language::de), " 34,2 MB"));  // Gmail's SIZE
        CHECK(contains(line(157286400, language::en), " 150 MB"));
        CHECK(contains(line(10240, language::en), " 10 KB"));
        CHECK(contains(line(512, language::en), " 512 bytes"));
        CHECK(contains(line(512, language::de), " 512 Byte"));
        CHECK(contains(line(2147483648ULL, language::de), " 2 GB"));
        CHECK(contains(line(1073217536, language::en), " 1024 MB"));  // 1023.5: integers from 100
        // 0 means "no fixed limit" (RFC 1870): the line without a number.
        CHECK(line(0, language::en) ==
              smtperr::render_message(make_diagnosis(condition::message_too_large), language::en)
                  .list_line);
        CHECK(code_points(line(UINT64_MAX, language::de)) <= 90);
    }

    TEST_CASE("values that do not fit or are not safe") {
        // An address too long for one line: the line without it.
        const std::string huge(200, 'x');
        const auto t = smtperr::render_message(make_diagnosis(condition::recipient_unknown),
                                               language::en, to(huge));
        CHECK(code_points(t.list_line) <= 90);
        CHECK(t.list_line == "Recipient unknown – check the address");
        CHECK(contains(t.detail, huge));  // the detail has room for it

        // Control characters, escapes and bidi overrides never reach the text.
        const auto evil =
            smtperr::render_message(make_diagnosis(condition::recipient_unknown), language::de,
                                    to("\x1b[31mbob\xE2\x80\xAE@example.com\r\n"));
        CHECK(evil.list_line == "Empfänger bob@example.com unbekannt – Adresse prüfen");

        // Values are inserted literally, never expanded as placeholders or formats.
        const auto literal = smtperr::render_message(make_diagnosis(condition::recipient_unknown),
                                                     language::en, to("{limit}%s%n"));
        CHECK(contains(literal.list_line, "{limit}%s%n"));

        // Only white space: as if unknown.
        const auto blank = smtperr::render_message(make_diagnosis(condition::recipient_unknown),
                                                   language::en, to(" \t "));
        CHECK(blank.list_line == "Recipient unknown – check the address");
    }

    TEST_CASE("an unknown message id falls back to the condition") {
        for (const auto lang : languages) {
            const auto by_condition =
                smtperr::render_message(make_diagnosis(condition::recipient_unknown), lang);
            for (const auto id :
                 {"no_such_message"sv, ""sv, "gmail.5.1.1"sv, "RECIPIENT_UNKNOWN"sv}) {
                diagnosis d = make_diagnosis(condition::recipient_unknown);
                d.message_id = id;
                const auto t = smtperr::render_message(d, lang);
                CHECK(t.list_line == by_condition.list_line);
                CHECK(t.detail == by_condition.detail);
            }
        }
        // A known message id wins over the condition.
        diagnosis d = make_diagnosis(condition::server_error);
        d.message_id = "recipient_unknown";
        CHECK(smtperr::render_message(d, language::en).list_line ==
              "Recipient unknown – check the address");
        // A condition out of range: the class fallback.
        diagnosis bad;
        bad.condition = static_cast<condition>(999);
        bad.transient = true;
        CHECK(smtperr::render_message(bad, language::en).list_line ==
              smtperr::render_message(make_diagnosis(condition::transient_failure), language::en)
                  .list_line);
        bad.transient = false;
        CHECK(smtperr::render_message(bad, language::de).list_line ==
              smtperr::render_message(make_diagnosis(condition::permanent_failure), language::de)
                  .list_line);
        // A language out of range: English.
        CHECK(smtperr::render_message(make_diagnosis(condition::server_error),
                                      static_cast<language>(7))
                  .list_line ==
              smtperr::render_message(make_diagnosis(condition::server_error), language::en)
                  .list_line);
    }

    TEST_CASE("German texts use real umlauts") {
        const auto texts = german_texts();
        // Substitute spellings of words the catalog uses (or might); none may appear.
        constexpr std::array substitutes{"empfaenger"sv,    "fuer"sv,
                                         "koennen"sv,       "groesse"sv,
                                         "moeglich"sv,      "ueber"sv,
                                         "pruefen"sv,       "spaeter"sv,
                                         "aendern"sv,       "muessen"sv,
                                         "zurueck"sv,       "gruende"sv,
                                         "hoechst"sv,       "verfuegbar"sv,
                                         "gueltig"sv,       "waehrend"sv,
                                         "oeffentlich"sv,   "schluessel"sv,
                                         "verschluessel"sv, "anschliessend"sv,
                                         "ausserhalb"sv,    "gross"sv,
                                         "gehoert"sv,       "naechste"sv,
                                         "haeufig"sv,       "zulaessig"sv,
                                         "ausser "sv,       "faehig"sv,
                                         "bestaetig"sv,     "ueberrasch"sv,
                                         "taeglich"sv,      "zustaendig"sv,
                                         "unterstuetz"sv,   "vertrauenswuerdig"sv};
        bool any_umlaut = false;
        for (const auto& t : texts) {
            const auto l = lower_ascii(t);
            for (const auto s : substitutes) {
                INFO(t);
                CHECK_FALSE(contains(l, s));
            }
            for (const auto u : {"ä"sv, "ö"sv, "ü"sv, "ß"sv, "Ä"sv, "Ö"sv, "Ü"sv}) {
                any_umlaut = any_umlaut || contains(t, u);
            }
        }
        CHECK(any_umlaut);
    }

    TEST_CASE("the German texts carry the advice of the original help page") {
        const auto de = [](condition c) {
            return smtperr::render_message(make_diagnosis(c), language::de);
        };
        const auto both = [](const smtperr::message_text& t) {
            return t.list_line + ' ' + t.detail;
        };
        // 421: service temporarily unavailable, try later.
        CHECK(contains(both(de(condition::service_unavailable)), "vorübergehend"));
        CHECK(contains(both(de(condition::service_unavailable)), "später"));
        // 450: mailbox unavailable, e.g. locked; try later.
        CHECK(contains(both(de(condition::recipient_mailbox_unavailable)), "gesperrt"));
        const auto busy =
            smtperr::render_message(make_diagnosis(condition::recipient_mailbox_unavailable,
                                                   "recipient_mailbox_unavailable_temporary"),
                                    language::de);
        CHECK(contains(both(busy), "gesperrt"));
        CHECK(contains(both(busy), "später erneut"));
        // 451: an error on the provider's server, not your fault.
        CHECK(contains(de(condition::server_error).list_line, "nicht Ihre Schuld"));
        CHECK(contains(de(condition::server_error).detail, "nicht Ihre Schuld"));
        // 452: the provider's server is out of storage.
        CHECK(contains(both(de(condition::server_storage_full)), "Speicherplatz"));
        CHECK(contains(both(de(condition::server_storage_full)), "später"));
        // 454 after AUTH is temporary: no new password.
        const auto temp = de(condition::authentication_temporary_failure);
        CHECK(!contains(temp.list_line, "Passwort"));
        CHECK(contains(temp.detail, "ändern Sie es deshalb bitte nicht"));
        CHECK(smtperr::render_message(make_diagnosis(condition::authentication_temporary_failure),
                                      language::de)
                  .action_label == "Später erneut senden");
        CHECK(
            !contains(smtperr::render_message(
                          make_diagnosis(condition::authentication_temporary_failure), language::en)
                          .list_line,
                      "password"));
        // 530 and 535: update the password.
        for (const auto c :
             {condition::authentication_required, condition::authentication_failed}) {
            const auto t = de(c);
            CHECK((contains(t.list_line, "Passwort") || contains(t.list_line, "Kennwort")));
            CHECK(contains(t.detail, "Passwort"));
            CHECK(t.action_label == "Passwort aktualisieren");
        }
        // 501/503/504: protocol errors, report the problem.
        for (const auto c :
             {condition::syntax_error, condition::bad_sequence, condition::not_implemented}) {
            CHECK(contains(both(de(c)), "Problem"));
            CHECK(contains(both(de(c)), "melden"));
        }
        // 521: no mail here.
        CHECK(contains(de(condition::no_mail_service).list_line, "nimmt keine E-Mails an"));
        // 550: not found or refused for policy reasons.
        CHECK(contains(de(condition::recipient_mailbox_unavailable).detail, "nicht gefunden"));
        CHECK(contains(de(condition::recipient_mailbox_unavailable).detail, "Richtlinien"));
        // 551: a forwarding address.
        diagnosis moved = make_diagnosis(condition::recipient_not_local);
        moved.forward_path = "bob@new.example";
        CHECK(contains(smtperr::render_message(moved, language::de).list_line,
                       "neue Empfängeradresse: bob@new.example"));
        // 552: too large or mailbox full, two conditions.
        CHECK(contains(de(condition::message_too_large).list_line, "zu groß"));
        CHECK(contains(de(condition::recipient_mailbox_full).list_line, "voll"));
        // 553: invalid mailbox name.
        CHECK(contains(de(condition::recipient_address_invalid).list_line, "ngültig"));
        // 554: rejected, "not allowed": check the addresses and sending rights.
        const auto rejected = de(condition::transaction_rejected);
        CHECK(contains(rejected.detail, "nicht erlaubt"));
        CHECK(contains(rejected.detail, "Berechtigung"));
        CHECK(contains(rejected.list_line, "Empfänger prüfen"));
    }

    TEST_CASE("English texts") {
        const auto en = [](condition c) {
            return smtperr::render_message(make_diagnosis(c), language::en);
        };
        CHECK(contains(en(condition::server_error).list_line, "not your fault"));
        CHECK(contains(en(condition::authentication_failed).list_line, "update your password"));
        CHECK(en(condition::authentication_failed).action_label == "Update password");
        CHECK(en(condition::recipient_unknown).list_line ==
              "Recipient unknown – check the address");
    }

    TEST_CASE("resolve_language") {
        CHECK(smtperr::resolve_language("de") == language::de);
        CHECK(smtperr::resolve_language("de_DE.UTF-8") == language::de);
        CHECK(smtperr::resolve_language("de-AT") == language::de);
        CHECK(smtperr::resolve_language("de_CH@euro") == language::de);
        CHECK(smtperr::resolve_language("DE") == language::de);
        CHECK(smtperr::resolve_language("de:en") == language::de);
        CHECK(smtperr::resolve_language("German_Germany.1252") == language::de);
        CHECK(smtperr::resolve_language("en_US") == language::en);
        CHECK(smtperr::resolve_language("en") == language::en);
        CHECK(smtperr::resolve_language("") == language::en);
        CHECK(smtperr::resolve_language("C") == language::en);
        CHECK(smtperr::resolve_language("C.UTF-8") == language::en);
        CHECK(smtperr::resolve_language("POSIX") == language::en);
        CHECK(smtperr::resolve_language("fr") == language::en);
        CHECK(smtperr::resolve_language("fr_FR.UTF-8") == language::en);
        CHECK(smtperr::resolve_language("dev") == language::en);
        CHECK(smtperr::resolve_language("d") == language::en);
        CHECK(smtperr::resolve_language("_de") == language::en);
    }

    TEST_CASE("to_string(language)") {
        CHECK(smtperr::to_string(language::en) == "en");
        CHECK(smtperr::to_string(language::de) == "de");
        CHECK(smtperr::to_string(static_cast<language>(9)).empty());
        for (const auto lang : languages) {
            CHECK(smtperr::resolve_language(smtperr::to_string(lang)) == lang);
        }
    }
}
