// Diagnoses and reports as JSON; the outbox saved and restored.
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "unit/pipeline/pipeline_util.hpp"

using namespace pipeline_test;
using smtperr::message_state;
using smtperr::report_event;
using smtperr::system_message_event;

namespace {

const std::string alice = "alice@example.org";
const std::string bob = "bob@example.com";

smtperr::diagnosis_record diagnose(phase p, std::string_view text, std::string_view host = {}) {
    const auto r = wire(text);
    smtperr::classify_context ctx;
    ctx.phase = p;
    ctx.host = host;
    return smtperr::diagnosis_record(smtperr::classify(r.view(), ctx), r.text);
}

/// An outbox with one message in each interesting state.
void populate(harness& h) {
    // m1: partly delivered, one recipient pending after a 450.
    REQUIRE(
        h.box.enqueue("m1", alice, {"anna@example.org", "ben@example.net", "carl@old.example"}));
    // m2: waiting for the password of bob's account.
    REQUIRE(h.box.enqueue("m2", bob, {"dora@example.org"}));
    // m3: never tried yet.
    REQUIRE(h.box.enqueue("m3", alice, {"emil@example.de"}));
    for (const auto& d : h.box.take_due()) {
        if (d.id == "m3")
            continue;  // Stays in flight: saved as due at once.
        server s;
        if (d.id == "m1") {
            s.rcpt = [](const std::string& a, unsigned) {
                if (a == "ben@example.net")
                    return std::string("450 4.2.1 Mailbox busy");
                if (a == "carl@old.example") {
                    return std::string("551 5.1.6 User not local; please try <carl@new.example>");
                }
                return std::string("250 2.1.5 Ok");
            };
        } else {
            s.auth = "535 5.7.8 Authentication credentials invalid";
        }
        h.box.complete(d.id, run_session(d.recipients, s));
    }
    h.events();
}

}  // namespace

TEST_SUITE("smtperr/pipeline/json.hpp") {
    TEST_CASE("a diagnosis round-trips through JSON with DESIGN.md's keys") {
        const std::vector<smtperr::diagnosis_record> samples = {
            diagnose(phase::rcpt,
                     "550-5.1.1 The email account that you tried to reach does "
                     "not exist.\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser",
                     "smtp.gmail.com"),
            diagnose(phase::rcpt, "551 5.1.6 User not local; please try <carl@new.example>"),
            diagnose(phase::rcpt, "450 4.7.1 Greylisted, try again in 5 minutes"),
            diagnose(phase::auth, "535 Authentication failed"),  // No enhanced code.
            smtperr::diagnosis_record(
                smtperr::classify(eof(), smtperr::classify_context{phase::data_end, {}, {}}), {}),
            smtperr::diagnosis_record{},
            // A link in another case than "https" is not taken (it would not come back).
            diagnose(phase::rcpt,
                     "550 5.1.1 HTTPS://support.google.com/mail/?p=NoSuchUser x - gsmtp",
                     "smtp.gmail.com"),
            diagnose(phase::auth,
                     "535 5.7.8 httpS://support.google.com/mail/?p=BadCredentials x - gsmtp"),
        };
        for (const auto& d : samples) {
            const auto o = smtperr::to_json(d);
            for (const char* key :
                 {"code", "status", "phase", "condition", "action", "scope", "transient",
                  "retry_after_seconds", "provider", "help_url", "server_text", "category",
                  "message_id", "forward_path", "rule"}) {
                CHECK_MESSAGE(o.contains(key), key);
            }
            // Through text, as a saved file would go.
            const auto text = boost::json::serialize(o);
            const auto back = smtperr::diagnosis_from_json(boost::json::parse(text));
            REQUIRE(back.has_value());
            const auto& b = back.value();
            CHECK(b.code == d.code);
            CHECK(b.status == d.status);
            CHECK(b.phase == d.phase);
            CHECK(b.condition == d.condition);
            CHECK(b.action == d.action);
            CHECK(b.scope == d.scope);
            CHECK(b.transient == d.transient);
            CHECK(b.retry_after_seconds == d.retry_after_seconds);
            CHECK(b.provider == d.provider);
            CHECK(b.help_url == d.help_url);
            CHECK(b.message_id == d.message_id);
            CHECK(b.forward_path == d.forward_path);
            CHECK(b.server_text == d.server_text);
            CHECK(b.rule == d.rule);
            CHECK(boost::json::serialize(smtperr::to_json(b)) == text);
        }
        const auto gmail = smtperr::to_json(samples[0]);
        CHECK(gmail.at("code").as_int64() == 550);
        CHECK(gmail.at("status").as_string() == "5.1.1");
        CHECK(gmail.at("phase").as_string() == "rcpt");
        CHECK(gmail.at("condition").as_string() == "recipient_unknown");
        CHECK(gmail.at("transient").as_bool() == false);
        CHECK(gmail.at("category").as_string() == "smtperr.reply");
        CHECK(smtperr::to_json(samples[1]).at("forward_path").as_string() == "carl@new.example");
        CHECK(smtperr::to_json(samples[3]).at("status").is_null());
        CHECK(smtperr::to_json(samples[4]).at("category").as_string() == "smtperr.transport");
    }

    TEST_CASE("a category unknown here comes back as its condition's transport code") {
        // Another transport's own category (libcurl's, say) is not in this program: the
        // record comes back rather than costing the whole outbox (found in review).
        smtperr::diagnosis_record timeout;
        timeout.code = std::error_code(28, std::generic_category());
        timeout.condition = condition::timed_out;
        timeout.phase = phase::data_end;
        timeout.transient = true;
        timeout.message_id = "delivery_uncertain";
        timeout.server_text = "";
        auto saved = smtperr::to_json(timeout);
        saved["category"] = "libcurl";
        auto back = smtperr::diagnosis_from_json(saved);
        REQUIRE(back.has_value());
        CHECK(back.value().code == smtperr::errc::timed_out);
        CHECK(back.value().condition == condition::timed_out);
        CHECK(back.value().phase == phase::data_end);
        CHECK(back.value().message_id == "delivery_uncertain");
        // Without a transport code of its own, a lost connection: what classify() makes of
        // any other failure that ends a session.
        saved["condition"] = "service_unavailable";
        back = smtperr::diagnosis_from_json(saved);
        REQUIRE(back.has_value());
        CHECK(back.value().code == smtperr::errc::connection_lost);
        CHECK(back.value().condition == condition::service_unavailable);
    }

    TEST_CASE("diagnosis_from_json refuses what it cannot trust") {
        auto good = smtperr::to_json(diagnose(phase::rcpt, "550 5.1.1 User unknown"));
        const auto bad = make_error_code(smtperr::errc::invalid_outbox_state);
        auto refuse = [&](const boost::json::value& v) {
            const auto r = smtperr::diagnosis_from_json(v);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error() == bad);
        };
        refuse(boost::json::value(42));
        refuse(boost::json::array{});
        for (const char* key : {"code", "condition", "phase", "transient", "category",
                                "retry_after_seconds", "server_text"}) {
            auto o = good;
            o.erase(key);
            refuse(o);
        }
        auto o = good;
        o["condition"] = "mailbox_on_fire";
        refuse(o);
        o = good;
        o["action"] = "panic";
        refuse(o);
        o = good;
        o["scope"] = "universe";
        refuse(o);
        o = good;
        o["phase"] = "bdat";
        refuse(o);
        o = good;
        o["status"] = "5.1";
        refuse(o);
        o = good;
        o["status"] = "5.1.1 trailing";
        refuse(o);
        o = good;
        o["code"] = "550";
        refuse(o);
        o = good;
        o["code"] = 1e3;
        refuse(o);
        o = good;
        o["transient"] = 0;
        refuse(o);
        o = good;
        o["category"] = "";
        refuse(o);
        o = good;
        o["retry_after_seconds"] = -5;
        refuse(o);
        o = good;
        o["retry_after_seconds"] = 5000000000;
        refuse(o);
        o = good;
        o["server_text"] = nullptr;
        refuse(o);
        // Help links a UI could be made to open or render, or that would pass off another
        // site as the provider's: only a link the classifier gives for the saved provider
        // comes back; any other is dropped (the rest of the diagnosis, and the outbox, kept).
        good["provider"] = "gmail";
        for (const char* url :
             {"javascript:alert(1)", "data:text/html,<b>x</b>", "https://",
              "https://support.google.com/mail/?p=x\" onclick=\"x", "https://example.org/<script>",
              "https://example.org/a b", "ftp://example.org/", "https://example.org/\x1b[31m",
              "HTTPS://support.google.com/mail/?p=NoSuchUser", "https://evil.example/",
              "https://support.google.com:x@evil.example/verify",
              "https://support.google.com@evil.example/", "https://support.microsoft.com/x"}) {
            CAPTURE(url);
            o = good;
            o["help_url"] = url;
            const auto r = smtperr::diagnosis_from_json(o);
            REQUIRE(r.has_value());
            CHECK(r.value().help_url.empty());
            CHECK(r.value().condition == smtperr::diagnosis_from_json(good).value().condition);
        }
        o = good;
        o["help_url"] = "https://support.google.com/mail/?p=NoSuchUser";
        CHECK(smtperr::diagnosis_from_json(o).value().help_url == o["help_url"].as_string());
        // The same link under another provider, or none, is not that provider's.
        for (const boost::json::value& provider :
             {boost::json::value("microsoft"), boost::json::value(nullptr),
              boost::json::value("evil")}) {
            o["provider"] = provider;
            CHECK(smtperr::diagnosis_from_json(o).value().help_url.empty());
        }
        // A forward-path reaches the UI as it is: only a plain address comes back.
        for (const char* fwd : {"carl@new\x1b[31m.example",
                                "carl@\xe2\x80\xae"
                                "elpmaxe.example",
                                "carl@new.example\n", "try carl@new.example", "<carl@new.example>",
                                "no address", "j\xc3\xbcrgen@beispiel.de"}) {
            CAPTURE(fwd);
            o = good;
            o["forward_path"] = fwd;
            const auto r = smtperr::diagnosis_from_json(o);
            REQUIRE(r.has_value());
            CHECK(r.value().forward_path.empty());
        }
        o = good;
        o["forward_path"] = "carl@new.example";
        CHECK(smtperr::diagnosis_from_json(o).has_value());
    }

    TEST_CASE("a restored diagnosis shows only sanitized server text") {
        // A file edited by hand (or by a hostile program) carries escapes, bidi overrides,
        // zero-width characters and invalid UTF-8; the record, and every event made from
        // it, holds the sanitized text, exactly as if it had come from a server.
        const std::string raw = "Mailbox \x1b[31mbusy\xe2\x80\xae now\xe2\x80\x8b, \xff try later";
        auto o = smtperr::to_json(diagnose(phase::rcpt, "450 4.2.1 Mailbox busy"));
        // Boost.JSON keeps the octets as given, invalid UTF-8 included.
        o["server_text"] = boost::json::string_view(raw);
        const auto r = smtperr::diagnosis_from_json(o);
        REQUIRE(r.has_value());
        CHECK(r.value().server_text == smtperr::sanitize_server_text(raw));
        CHECK(r.value().server_text.find('\x1b') == std::string::npos);
        CHECK(r.value().server_text.find("\xe2\x80\xae") == std::string::npos);
        CHECK(r.value().server_text.find("\xe2\x80\x8b") == std::string::npos);
        CHECK(r.value().server_text.find("busy") != std::string::npos);
        // What save() wrote comes back unchanged: sanitizing is idempotent.
        const auto again = smtperr::diagnosis_from_json(smtperr::to_json(r.value()));
        REQUIRE(again.has_value());
        CHECK(again.value().server_text == r.value().server_text);
    }

    TEST_CASE("a report as the send command prints it") {
        const auto rep = run_session({"anna@example.org", "ben@example.net"}, [] {
            server s;
            s.rcpt = [](const std::string& a, unsigned) {
                return a == "ben@example.net" ? std::string("550 5.1.1 User unknown")
                                              : std::string("250 2.1.5 Ok");
            };
            return s;
        }());
        const auto o = smtperr::to_json(rep);
        CHECK(o.at("outcome").as_string() == "partially_sent");
        CHECK(o.at("condition").as_string() == "recipient_unknown");
        CHECK(o.at("action").as_string() == "check_recipients");
        CHECK(o.at("possibly_delivered").as_bool() == false);
        const auto& r = o.at("recipients").as_array();
        REQUIRE(r.size() == 2);
        CHECK(r[0].at("address").as_string() == "anna@example.org");
        CHECK(r[0].at("accepted").as_bool());
        CHECK(r[0].at("condition").as_string() == "none");
        CHECK(r[1].at("address").as_string() == "ben@example.net");
        CHECK_FALSE(r[1].at("accepted").as_bool());
        CHECK(r[1].at("condition").as_string() == "recipient_unknown");
        CHECK(o.at("deciding").as_object().at("code").as_int64() == 550);
    }

    TEST_CASE("save → restore into a new outbox → save gives the same JSON") {
        harness a;
        populate(a);
        CHECK(a.box.size() == 3);
        CHECK(a.box.state("m1") == message_state::queued);
        CHECK(a.box.state("m2") == message_state::waiting_credentials);
        CHECK(a.box.state("m3") == message_state::in_flight);
        const auto saved = a.box.save();
        CHECK(boost::json::parse(saved).as_object().at("version").as_int64() == 1);

        harness b;
        b.clock.set(a.clock.get());
        const auto r = b.box.restore(saved);
        REQUIRE(r.has_value());
        CHECK(b.box.save() == saved);
        CHECK(b.box.size() == 3);
        CHECK(b.box.state("m1") == message_state::queued);
        CHECK(b.box.state("m2") == message_state::waiting_credentials);
        CHECK(b.box.state("m3") == message_state::queued);  // Was in flight: due at once.
        CHECK(b.box.next_attempt("m1") == a.box.next_attempt("m1"));
        // Whoever was asked before the restart is asked again, once: m2 waits for bob.
        const auto asked = b.events();
        REQUIRE(kinds(asked) == "credentials_required");
        CHECK(as<smtperr::credentials_required_event>(asked[0]).account == bob);

        // The restored outbox goes on where the first one stopped.
        auto due = b.box.take_due();
        REQUIRE(due.size() == 1);  // m3; m1 later, m2 waits for the password.
        CHECK(due[0].id == "m3");
        CHECK(due[0].attempt == 1);
        b.box.complete("m3", run_session(due[0].recipients, server{}));
        CHECK(kinds(b.events()) == "report");
        b.clock.set(*b.box.next_wakeup());
        due = b.box.take_due();
        REQUIRE(due.size() == 1);
        CHECK(due[0].id == "m1");
        CHECK(due[0].attempt == 2);
        CHECK(due[0].recipients == std::vector<std::string>{"ben@example.net"});
        b.box.complete("m1", run_session(due[0].recipients, server{}));
        const auto ev = b.events();
        REQUIRE(kinds(ev) == "system_message,report");
        const auto& rep = as<report_event>(ev[1]).report;
        CHECK(rep.outcome == outcome::partially_sent);
        CHECK(recipient(rep, "anna@example.org").accepted);
        CHECK(recipient(rep, "ben@example.net").accepted);
        const auto& carl = recipient(rep, "carl@old.example");
        CHECK(carl.rejected());
        CHECK(carl.diagnosis->forward_path == "carl@new.example");
        // That prompt is outstanding: m2 waits until the user answers it.
        CHECK(b.box.take_due().empty());
        b.box.credentials_updated(bob);
        CHECK(b.box.take_due().size() == 1);
    }

    TEST_CASE("a restored diagnosis renders again, in German and in English") {
        harness a;
        populate(a);
        harness b;
        REQUIRE(b.box.restore(a.box.save()).has_value());
        CHECK(kinds(b.events()) == "credentials_required");  // m2's account, asked again.
        const auto root = boost::json::parse(b.box.save()).as_object();
        const boost::json::object* m2 = nullptr;
        for (const auto& m : root.at("messages").as_array()) {
            if (m.as_object().at("id").as_string() == "m2")
                m2 = &m.as_object();
        }
        REQUIRE(m2 != nullptr);
        const auto last = smtperr::diagnosis_from_json(m2->at("last"));
        REQUIRE(last.has_value());
        CHECK(last.value().condition == condition::authentication_failed);
        const auto original = diagnose(phase::auth, "535 5.7.8 Authentication credentials invalid");
        for (auto lang : {smtperr::language::de, smtperr::language::en}) {
            const auto again = smtperr::render_message(last.value().view(), lang);
            const auto first = smtperr::render_message(original.view(), lang);
            CHECK_FALSE(again.list_line.empty());
            CHECK(again.list_line == first.list_line);
            CHECK(again.detail == first.detail);
            CHECK(again.action_label == first.action_label);
        }
        CHECK(smtperr::render_message(last.value().view(), smtperr::language::de).list_line !=
              smtperr::render_message(last.value().view(), smtperr::language::en).list_line);

        // And through the restored outbox's own events: m1 expires with its 450.
        b.box.set_language(smtperr::language::de);
        b.clock.advance(seconds(3 * 24 * 3600));
        CHECK(b.box.take_due().size() == 1);  // m3, never tried, does not expire.
        const auto ev = b.events();
        REQUIRE(kinds(ev) == "system_message,report");
        const auto& sys = as<system_message_event>(ev[0]);
        CHECK(sys.message_id == "m1");
        CHECK(sys.diagnosis.condition == condition::recipient_mailbox_unavailable);
        CHECK(sys.list_line ==
              smtperr::render_message(sys.diagnosis.view(), smtperr::language::de).list_line);
        CHECK(as<report_event>(ev[1]).report.expired);
    }

    TEST_CASE("has_duplicate_keys: any object, at any depth, keys compared as decoded") {
        CHECK(smtperr::has_duplicate_keys(R"({"a": 1, "a": 2})"));
        CHECK(smtperr::has_duplicate_keys(R"({"a": {"b": 1, "b": 2}})"));
        CHECK(smtperr::has_duplicate_keys(R"([{"x": [{"a": 1, "\u0061": 2}]}])"));
        CHECK_FALSE(smtperr::has_duplicate_keys(R"({"a": {"b": 1}, "b": 2})"));
        CHECK_FALSE(smtperr::has_duplicate_keys(R"([{"a": 1}, {"a": 1}])"));
        CHECK_FALSE(smtperr::has_duplicate_keys(R"({"a": "a", "b": ["a", "a"]})"));
        CHECK_FALSE(smtperr::has_duplicate_keys("not JSON"));
        CHECK_FALSE(smtperr::has_duplicate_keys(""));
        // Many keys in one object: no false duplicate among them, and a repeat of the last one
        // found.
        std::string many = "{";
        for (int i = 0; i < 100000; ++i) {
            many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
        }
        CHECK_FALSE(smtperr::has_duplicate_keys(many + "}"));
        CHECK(smtperr::has_duplicate_keys(many + ",\"k99999\":1}"));
    }

    TEST_CASE("a failure in another transport's error category is saved and restored") {
        // Found in review: its category name made restore() refuse the whole file, and every
        // message in it was lost at the next start.
        struct curl_like_category : std::error_category {
            const char* name() const noexcept override { return "libcurl"; }
            std::string message(int) const override { return "couldn't connect"; }
        };
        static const curl_like_category curl;
        harness h;
        REQUIRE(h.box.enqueue("m1", alice, {"anna@example.org"}));
        const auto due = h.box.take_due();
        REQUIRE(due.size() == 1);
        smtperr::attempt a(due[0].recipients, {});
        a.on_failure(phase::greeting, std::error_code(7, curl));
        h.box.complete("m1", a.finish());
        const auto saved = h.box.save();
        CHECK(saved.find("\"libcurl\"") != std::string::npos);
        harness b;
        const auto r = b.box.restore(saved);
        REQUIRE(r.has_value());
        CHECK(b.box.size() == 1);
        CHECK(b.box.state("m1") == message_state::queued);
        // Its diagnosis keeps its condition, with the transport code of that condition.
        const auto again = boost::json::parse(b.box.save()).as_object();
        const auto& last = again.at("messages").as_array()[0].as_object().at("last").as_object();
        CHECK(last.at("condition").as_string() == "connection_lost");
        CHECK(last.at("category").as_string() == "smtperr.transport");
    }

    TEST_CASE("malformed state is refused and the outbox stays as it was") {
        harness h;
        populate(h);
        const auto before = h.box.save();
        const auto bad = make_error_code(smtperr::errc::invalid_outbox_state);
        auto refuse = [&](const std::string& json) {
            const auto r = h.box.restore(json);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error() == bad);
            CHECK(h.box.save() == before);
            CHECK(h.box.size() == 3);
        };
        auto edit = [&](auto change) {
            auto root = boost::json::parse(before).as_object();
            change(root);
            return boost::json::serialize(root);
        };
        auto first_message = [](boost::json::object& root) -> boost::json::object& {
            return root["messages"].as_array()[0].as_object();
        };

        SUBCASE("not JSON") {
            refuse("");
            refuse("{");
            refuse("not json at all");
            refuse(before.substr(0, before.size() / 2));
        }
        SUBCASE("not the right shape") {
            refuse("[]");
            refuse("{}");
            refuse("42");
            refuse(R"({"version": 2, "messages": [], "accounts": []})");
            refuse(R"({"version": "1", "messages": [], "accounts": []})");
            refuse(R"({"version": 1, "messages": {}, "accounts": []})");
            refuse(R"({"version": 1, "messages": [], "accounts": null})");
            refuse(R"({"version": 1, "messages": [7], "accounts": []})");
        }
        SUBCASE("wrong types") {
            refuse(edit([&](auto& r) { first_message(r)["attempts"] = "two"; }));
            refuse(edit([&](auto& r) { first_message(r)["attempts"] = -1; }));
            refuse(edit([&](auto& r) { first_message(r)["attempts"] = 1e20; }));
            // Counters at the top of `unsigned` would wrap at the next attempt (found in
            // review: 4294967295 attempts came back as the first one again).
            refuse(edit([&](auto& r) { first_message(r)["attempts"] = 4294967295; }));
            refuse(edit([&](auto& r) { first_message(r)["transactions"] = 1000000001; }));
            refuse(edit([&](auto& r) {
                r["accounts"].as_array()[0].as_object()["auth_temporary_failures"] = 4294967295;
            }));
            refuse(edit([&](auto& r) { first_message(r)["id"] = 17; }));
            refuse(edit([&](auto& r) { first_message(r)["recipients"] = "anna@example.org"; }));
            refuse(edit([&](auto& r) { first_message(r)["pending"] = boost::json::array{1}; }));
            refuse(edit([&](auto& r) { first_message(r)["next_attempt"] = "soon"; }));
            refuse(edit([&](auto& r) { first_message(r)["possibly_delivered"] = "no"; }));
            refuse(edit([&](auto& r) { first_message(r)["results"] = nullptr; }));
            refuse(edit([&](auto& r) { first_message(r).erase("last"); }));
            refuse(edit([&](auto& r) { first_message(r).erase("transactions"); }));
            refuse(edit([&](auto& r) { first_message(r)["waits"] = boost::json::array{}; }));
            refuse(edit([&](auto& r) {
                first_message(r)["waits"].as_object()["ben@example.net"] = "busy";
            }));
            refuse(edit([&](auto& r) {
                r["accounts"].as_array()[0].as_object()["prompt_outstanding"] = 1;
            }));
        }
        SUBCASE("times outside 1970 to 2199") {
            // Near or past the end of a nanosecond clock's range (2262): arithmetic on them
            // would overflow.
            refuse(edit([&](auto& r) { first_message(r)["first_queued"] = 9000000000000000000; }));
            refuse(edit([&](auto& r) {
                first_message(r)["next_attempt"] = std::numeric_limits<std::int64_t>::min();
            }));
            refuse(edit([&](auto& r) { first_message(r)["next_attempt"] = 7258118400; }));
            refuse(edit([&](auto& r) { first_message(r)["first_queued"] = -1; }));
            refuse(edit([&](auto& r) { first_message(r)["first_queued"] = 17196000000; }));
        }
        SUBCASE("unknown names") {
            refuse(edit([&](auto& r) { first_message(r)["state"] = "sleeping"; }));
            refuse(edit([&](auto& r) { first_message(r)["state"] = "in_flight"; }));
            refuse(edit([&](auto& r) {
                first_message(r)["last"].as_object()["condition"] = "mailbox_on_fire";
            }));
            refuse(edit([&](auto& r) {
                first_message(r)["results"].as_array()[0].as_object()["diagnosis"] =
                    boost::json::object{{"condition", "recipient_unknown"}};
            }));
        }
        SUBCASE("a key twice") {
            // Boost.JSON keeps the last: a file edited to say two things (found in review).
            auto twice = before;
            const auto at = twice.find("\"state\":");
            REQUIRE(at != std::string::npos);
            twice.insert(at, "\"state\":\"waiting_credentials\",");
            refuse(twice);
        }
        SUBCASE("addresses that enqueue() refuses") {
            // Another transport may hand them to the server as they are: an edited file must
            // not inject a command (found in review).
            for (const std::string& evil :
                 {std::string("x@example.org>\r\nRCPT TO:<evil@attacker.example"), std::string(),
                  std::string("a@example.org\0b", 15)}) {
                CAPTURE(evil);
                refuse(edit([&](auto& r) {
                    auto& m = first_message(r);
                    const std::string was(m["pending"].as_array()[0].as_string());
                    m["pending"].as_array()[0] = boost::json::string(evil);
                    for (auto& a : m["recipients"].as_array()) {
                        if (a.as_string() == was) {
                            a = boost::json::string(evil);
                        }
                    }
                }));
            }
        }
        SUBCASE("inconsistent") {
            // The same account twice: which one counts would be a guess.
            refuse(edit([&](auto& r) {
                auto& accounts = r["accounts"].as_array();
                accounts.push_back(accounts[0]);
            }));
            // The same id twice.
            refuse(edit([&](auto& r) {
                auto& msgs = r["messages"].as_array();
                msgs.push_back(msgs[0]);
            }));
            // A recipient lost: neither pending nor with a result.
            refuse(edit([&](auto& r) { first_message(r)["pending"] = boost::json::array{}; }));
            // A recipient both pending and finished.
            refuse(edit([&](auto& r) {
                first_message(r)["pending"].as_array().push_back("anna@example.org");
            }));
            // A result that decides nothing (neither accepted nor a permanent reason): that
            // recipient would never be tried again, nor reported.
            refuse(edit([&](auto& r) {
                auto& anna = first_message(r)["results"].as_array()[0].as_object();
                REQUIRE(anna["address"].as_string() == "anna@example.org");
                anna["accepted"] = false;
            }));
            // A reason for a recipient that does not wait (it has its result).
            refuse(edit([&](auto& r) {
                auto& waits = first_message(r)["waits"].as_object();
                REQUIRE(waits.contains("ben@example.net"));
                waits["anna@example.org"] = waits["ben@example.net"];
            }));
            // Nothing pending: such a message has had its report and left the outbox.
            refuse(edit([&](auto& r) {
                auto& m = first_message(r);
                m["pending"] = boost::json::array{};
                m["results"].as_array().push_back(
                    boost::json::object{{"address", "ben@example.net"},
                                        {"accepted", true},
                                        {"possibly_delivered", false},
                                        {"diagnosis", nullptr}});
            }));
        }
        SUBCASE("saved before recipients had their own reasons: restored, aged out with last") {
            const auto old_format = edit([&](auto& r) {
                for (auto& m : r["messages"].as_array()) {
                    m.as_object().erase("waits");
                }
            });
            REQUIRE(h.box.restore(old_format).has_value());
            h.events();
            h.clock.advance(std::chrono::hours(24 * 30));
            h.box.take_due();
            bool reported = false;
            for (const auto& e : h.events()) {
                if (const auto* rep = std::get_if<report_event>(&e);
                    rep != nullptr && rep->message_id == "m1") {
                    reported = true;
                    CHECK(rep->report.expired);
                    const auto& ben = recipient(rep->report, "ben@example.net");
                    REQUIRE(ben.diagnosis);
                    CHECK(ben.diagnosis->code ==
                          smtperr::make_error_code(smtperr::reply_code{450}));
                }
            }
            CHECK(reported);
        }
        // After all that, the state is still good for a normal restore.
        REQUIRE(h.box.restore(before).has_value());
        CHECK(h.box.save() == before);
    }
}
