// One attempt's replies → send_report, and what the outbox makes of it (events, order).
#include <smtperr/error/reply_code.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "unit/pipeline/pipeline_util.hpp"

using namespace pipeline_test;
using smtperr::credentials_required_event;
using smtperr::recipients_rejected_event;
using smtperr::report_event;
using smtperr::retry_scheduled_event;
using smtperr::system_message_event;

namespace {

const std::vector<step> hello = {
    say(phase::greeting, "220 mx.example.org ESMTP"),
    say(phase::ehlo, "250-mx.example.org\n250-PIPELINING\n250 AUTH PLAIN"),
    say(phase::auth, "235 2.7.0 Authentication successful"),
    say(phase::mail, "250 2.1.0 Ok"),
};

std::vector<step> with_hello(std::vector<step> rest) {
    std::vector<step> all = hello;
    all.insert(all.end(), rest.begin(), rest.end());
    return all;
}

const char* const ok_rcpt = "250 2.1.5 Ok";
const char* const go_ahead = "354 End data with <CR><LF>.<CR><LF>";
const char* const queued = "250 2.0.0 Ok: queued as 4F2A1";
const char* const unknown_user =
    "550 5.1.1 <ben@example.net>: Recipient address rejected: User unknown";
const char* const not_local = "551 5.1.6 User not local; please try <carl@new.example>";
const char* const too_many = "452 4.5.3 Too many recipients";

/// Enqueues one message, hands it out and completes it with `report`; returns the events.
std::vector<smtperr::event> through_outbox(harness& h, const std::vector<std::string>& rcpts,
                                           const smtperr::send_report& report) {
    REQUIRE(h.box.enqueue("m1", "alice@example.org", rcpts));
    const auto due = h.box.take_due();
    REQUIRE(due.size() == 1);
    CHECK(due[0].id == "m1");
    CHECK(due[0].account == "alice@example.org");
    CHECK(due[0].recipients == rcpts);
    CHECK(due[0].attempt == 1);
    CHECK(h.events().empty());
    h.box.complete("m1", report);
    // Never inline: nothing reached the sink yet, everything is in the executor's queue.
    CHECK(h.seen->empty());
    CHECK(h.exec.queued() > 0);
    return h.events();
}

}  // namespace

TEST_SUITE("smtperr/pipeline/attempt.hpp") {
    TEST_CASE("every recipient accepted: sent, one transaction, one report event") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        const auto rep =
            run_script(rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::rcpt, ok_rcpt),
                                          say(phase::data, go_ahead), say(phase::data_end, queued),
                                          say(phase::quit, "221 2.0.0 Bye")}));
        CHECK(rep.outcome == outcome::sent);
        CHECK(rep.deciding.condition == condition::none);
        CHECK_FALSE(rep.possibly_delivered);
        CHECK(rep.transactions == 1);
        REQUIRE(rep.recipients.size() == 2);
        for (const auto& r : rep.recipients) {
            CHECK(r.accepted);
            CHECK_FALSE(r.diagnosis.has_value());
            CHECK_FALSE(r.pending());
            CHECK_FALSE(r.rejected());
        }

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        CHECK(kinds(ev) == "report");
        const auto& done = as<report_event>(ev[0]);
        CHECK(done.message_id == "m1");
        CHECK(done.report.outcome == outcome::sent);
        CHECK(done.report.transactions == 1);
        CHECK_FALSE(done.report.expired);
        CHECK(h.box.size() == 0);
    }

    TEST_CASE("all recipients rejected: failed, recipients_rejected, system message, report") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        const auto rep = run_script(
            rcpts, with_hello({say(phase::rcpt, "550 5.1.1 <anna@example.org>: User unknown"),
                               say(phase::rcpt, unknown_user), say(phase::quit, "221 2.0.0 Bye")}));
        CHECK(rep.outcome == outcome::failed);
        CHECK(rep.deciding.condition == condition::recipient_unknown);
        CHECK(rep.deciding.phase == phase::rcpt);
        CHECK_FALSE(rep.possibly_delivered);
        REQUIRE(rep.recipients.size() == 2);
        for (const auto& r : rep.recipients) {
            CHECK_FALSE(r.accepted);
            CHECK(r.rejected());
            CHECK_FALSE(r.pending());
            REQUIRE(r.diagnosis);
            CHECK(r.diagnosis->condition == condition::recipient_unknown);
            CHECK(r.diagnosis->scope == smtperr::scope::recipient);
        }
        CHECK(rep.recipients[0].address == "anna@example.org");
        CHECK(rep.recipients[1].address == "ben@example.net");
        // Server text is kept sanitized, and without the enhanced code.
        CHECK(rep.recipients[1].diagnosis->server_text.find("User unknown") != std::string::npos);

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "recipients_rejected,system_message,report");
        const auto& rej = as<recipients_rejected_event>(ev[0]);
        CHECK(rej.message_id == "m1");
        REQUIRE(rej.recipients.size() == 2);
        CHECK(rej.recipients[0].address == "anna@example.org");
        CHECK(rej.recipients[1].address == "ben@example.net");
        CHECK(rej.recipients[0].forward_path.empty());
        CHECK(rej.recipients[1].diagnosis.condition == condition::recipient_unknown);
        const auto& sys = as<system_message_event>(ev[1]);
        CHECK(sys.message_id == "m1");
        CHECK(sys.severity == smtperr::severity::error);
        CHECK_FALSE(sys.list_line.empty());
        CHECK(sys.diagnosis.condition == condition::recipient_unknown);
        CHECK(sys.action == smtperr::action::check_recipients);
        const auto& done = as<report_event>(ev[2]);
        CHECK(done.report.outcome == outcome::failed);
        CHECK(done.report.deciding.condition == condition::recipient_unknown);
        CHECK(done.report.recipients.size() == 2);
        CHECK(h.box.size() == 0);
    }

    TEST_CASE("all rejected, and a pipelined DATA refused too: the recipients decide") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        const auto rep = run_script(
            rcpts, with_hello({say(phase::rcpt, unknown_user), say(phase::rcpt, unknown_user),
                               say(phase::data, "554 5.5.1 Error: no valid recipients")}));
        CHECK(rep.outcome == outcome::failed);
        CHECK(rep.deciding.condition == condition::recipient_unknown);
        REQUIRE(rep.recipients.size() == rcpts.size());
        for (const auto& r : rep.recipients) {
            REQUIRE(r.diagnosis.has_value());
            CHECK(r.diagnosis->condition == condition::recipient_unknown);
        }
    }

    TEST_CASE("421 to DATA or to the final dot ends the session") {
        const std::vector<std::string> rcpts{"a@example.org", "b@example.org", "c@example.org"};
        for (const phase p : {phase::data, phase::data_end}) {
            CAPTURE(name(p));
            smtperr::attempt a(rcpts, {}, 2);  // c waits for a second transaction.
            for (const auto& s : hello)
                feed(a, s.p, s.reply);
            feed(a, phase::rcpt, ok_rcpt);
            feed(a, phase::rcpt, ok_rcpt);
            if (p == phase::data_end)
                feed(a, phase::data, go_ahead);
            feed(a, p, "421 4.3.0 Shutting down");
            CHECK_FALSE(a.session_usable());
            CHECK_FALSE(a.more_transactions());
            const auto rep = a.finish();
            CHECK(rep.outcome == outcome::deferred);
            CHECK(rep.deciding.condition == condition::service_unavailable);
            REQUIRE(rep.recipients.size() == rcpts.size());
            for (const auto& r : rep.recipients)
                CHECK(r.pending());
        }
    }

    TEST_CASE("a 421 to RSET ends the session, and those not tried wait with it") {
        // Found in review: RSET's replies were ignored, so a transport following
        // session_usable() sent the next MAIL into the closed connection.
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        smtperr::attempt a(rcpts, {}, 1);  // ben waits for a second transaction.
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, unknown_user);  // anna refused: the transaction ends, RSET.
        CHECK(a.session_usable());
        CHECK(a.more_transactions());
        feed(a, phase::rset, "421 4.3.2 closing");
        CHECK_FALSE(a.session_usable());
        CHECK_FALSE(a.more_transactions());
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::deferred);  // ben waits, with the 421.
        CHECK(rep.deciding.condition == condition::service_unavailable);
        const auto& anna = recipient(rep, "anna@example.org");
        REQUIRE(anna.diagnosis);
        CHECK(anna.diagnosis->condition == condition::recipient_unknown);
        const auto& ben = recipient(rep, "ben@example.net");
        CHECK(ben.pending());
        REQUIRE(ben.diagnosis);
        CHECK(ben.diagnosis->condition == condition::service_unavailable);
        CHECK(ben.diagnosis->phase == phase::rset);
        // A 250 to RSET changes nothing.
        smtperr::attempt b(rcpts, {}, 1);
        for (const auto& s : hello)
            feed(b, s.p, s.reply);
        feed(b, phase::rcpt, unknown_user);
        feed(b, phase::rset, "250 2.0.0 ok");
        CHECK(b.session_usable());
        CHECK(b.more_transactions());
    }

    TEST_CASE("a 421 to MAIL ends the session whatever it says of the message") {
        // Found in review: the session ended at MAIL only for a connection- or account-
        // scoped verdict, and these 421s are message-scoped.
        const std::vector<std::string> rcpts{"anna@example.org"};
        for (const char* reply :
             {"421 4.7.0 Message content rejected", "421 4.3.4 Message too big for system",
              "421 4.5.3 Too many recipients", "421 4.1.8 Sender address rejected"}) {
            CAPTURE(reply);
            smtperr::attempt a(rcpts, {});
            for (std::size_t i = 0; i + 1 < hello.size(); ++i)
                feed(a, hello[i].p, hello[i].reply);
            feed(a, phase::mail, reply);
            CHECK_FALSE(a.session_usable());
            const auto rep = a.finish();
            CHECK(rep.outcome == outcome::deferred);
            CHECK(recipient(rep, "anna@example.org").pending());
        }
        // A message-scoped refusal that is no 421 leaves the connection to the next message.
        smtperr::attempt b(rcpts, {});
        for (std::size_t i = 0; i + 1 < hello.size(); ++i)
            feed(b, hello[i].p, hello[i].reply);
        feed(b, phase::mail, "452 4.3.4 Message too big for system");
        CHECK(b.session_usable());
    }

    TEST_CASE("a 421 too many recipients is not split around: the server is closing") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        smtperr::attempt a(rcpts, {});
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, "250 2.1.5 ok");
        feed(a, phase::rcpt, "421 4.5.3 Too many recipients, closing connection");
        CHECK_FALSE(a.session_usable());
        CHECK_FALSE(a.more_transactions());
        // The same limit as a 452 is split around on this connection.
        smtperr::attempt b(rcpts, {});
        for (const auto& s : hello)
            feed(b, s.p, s.reply);
        feed(b, phase::rcpt, "250 2.1.5 ok");
        feed(b, phase::rcpt, "452 4.5.3 Too many recipients");
        CHECK(b.session_usable());
        CHECK(b.more_transactions());
    }

    TEST_CASE("a 421 to a pipelined RCPT after a refused MAIL ends the session") {
        // Found in review: the recipient was final already, so the 421 was skipped and the
        // transport went on; the connection's end then decided the report.
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        smtperr::attempt a(rcpts, {}, 1);  // ben waits for a second transaction.
        for (std::size_t i = 0; i + 1 < hello.size(); ++i)
            feed(a, hello[i].p, hello[i].reply);
        feed(a, phase::mail, "550 5.7.1 sender address rejected");
        CHECK(a.session_usable());
        feed(a, phase::rcpt, "421 4.3.2 closing");
        CHECK_FALSE(a.session_usable());
        CHECK_FALSE(a.more_transactions());
        a.on_failure(phase::data, eof());  // The close behind it decides nothing more.
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::deferred);  // ben was never tried.
        CHECK(rep.deciding.condition == condition::service_unavailable);
        const auto& anna = recipient(rep, "anna@example.org");
        REQUIRE(anna.diagnosis);
        CHECK(anna.diagnosis->condition == condition::sender_rejected);
        const auto& ben = recipient(rep, "ben@example.net");
        CHECK(ben.pending());
        REQUIRE(ben.diagnosis);
        CHECK(ben.diagnosis->condition == condition::service_unavailable);
    }

    TEST_CASE("an end of the session after every recipient's verdict does not decide") {
        // Found in review: a 421 or a lost connection after the recipients were all refused
        // became the report's reason, and the sender's or recipients' refusal was lost.
        const std::vector<std::string> rcpts{"anna@example.org"};
        SUBCASE("a 421 to RCPT behind a refused MAIL") {
            const auto rep =
                run_script(rcpts, {say(phase::greeting, "220 mx.example.org"),
                                   say(phase::ehlo, "250 mx.example.org"),
                                   say(phase::mail, "550 5.7.1 sender address rejected"),
                                   say(phase::rcpt, "421 4.3.2 closing"), fail(phase::data)});
            CHECK(rep.outcome == outcome::failed);
            CHECK(rep.deciding.condition == condition::sender_rejected);
            CHECK(rep.deciding.phase == phase::mail);
        }
        SUBCASE("the connection lost behind a refused RCPT") {
            const auto rep =
                run_script(rcpts, with_hello({say(phase::rcpt, unknown_user), fail(phase::data)}));
            CHECK(rep.outcome == outcome::failed);
            CHECK(rep.deciding.condition == condition::recipient_unknown);
            CHECK(rep.recipients[0].rejected());
        }
        SUBCASE("a 421 to DATA behind refused RCPTs") {
            const auto rep = run_script(rcpts, with_hello({say(phase::rcpt, unknown_user),
                                                           say(phase::data, "421 4.3.2 closing")}));
            CHECK(rep.outcome == outcome::failed);
            CHECK(rep.deciding.condition == condition::recipient_unknown);
        }
    }

    TEST_CASE("some rejected: partially_sent, recipients_rejected with the 551 forward path") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net",
                                             "carl@old.example"};
        const auto rep =
            run_script(rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::rcpt, unknown_user),
                                          say(phase::rcpt, not_local), say(phase::data, go_ahead),
                                          say(phase::data_end, queued)}));
        CHECK(rep.outcome == outcome::partially_sent);
        CHECK(rep.deciding.condition == condition::recipient_unknown);  // The first failure.
        CHECK_FALSE(rep.possibly_delivered);
        CHECK(recipient(rep, "anna@example.org").accepted);
        const auto& ben = recipient(rep, "ben@example.net");
        CHECK(ben.rejected());
        CHECK(ben.diagnosis->condition == condition::recipient_unknown);
        const auto& carl = recipient(rep, "carl@old.example");
        CHECK(carl.rejected());
        CHECK(carl.diagnosis->scope == smtperr::scope::recipient);
        CHECK(carl.diagnosis->forward_path == "carl@new.example");

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "recipients_rejected,system_message,report");
        const auto& rej = as<recipients_rejected_event>(ev[0]);
        REQUIRE(rej.recipients.size() == 2);
        CHECK(rej.recipients[0].address == "ben@example.net");
        CHECK(rej.recipients[0].forward_path.empty());
        CHECK(rej.recipients[1].address == "carl@old.example");
        CHECK(rej.recipients[1].forward_path == "carl@new.example");
        CHECK(rej.recipients[1].diagnosis.forward_path == "carl@new.example");
        const auto& sys = as<system_message_event>(ev[1]);
        CHECK(sys.severity == smtperr::severity::warning);
        const auto& done = as<report_event>(ev[2]);
        CHECK(done.report.outcome == outcome::partially_sent);
        REQUIRE(done.report.recipients.size() == 3);
        CHECK(done.report.recipients[0].address == "anna@example.org");
        CHECK(done.report.recipients[0].accepted);
        CHECK(done.report.recipients[1].address == "ben@example.net");
        CHECK(done.report.recipients[2].address == "carl@old.example");
        CHECK(h.box.size() == 0);
    }

    TEST_CASE("a refusal at RCPT about the client or a policy: the others still get it") {
        // Found in a review: these refusals ended the session, and the recipient the server
        // had taken was reported failed for good and never got the message.
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net",
                                             "carl@example.com"};
        const char* const blocked =
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
            "zen.spamhaus.org";
        const char* const access_denied =
            "550 5.7.1 <ben@example.net>: Recipient address rejected: Access denied";
        smtperr::attempt a(rcpts, {});
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, ok_rcpt);
        feed(a, phase::rcpt, access_denied);
        feed(a, phase::rcpt, blocked);
        CHECK(a.session_usable());
        CHECK(a.any_recipient_accepted());
        feed(a, phase::data, go_ahead);
        CHECK(a.data_accepted());
        feed(a, phase::data_end, queued);
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::partially_sent);
        CHECK(recipient(rep, "anna@example.org").accepted);
        const auto& ben = recipient(rep, "ben@example.net");
        const auto& carl = recipient(rep, "carl@example.com");
        REQUIRE(ben.rejected());
        REQUIRE(carl.rejected());
        CHECK(carl.diagnosis->condition == condition::client_blocked);
        CHECK(carl.diagnosis->scope == smtperr::scope::connection);

        // Each is listed as rejected with its own reason, whatever the scope of that reason.
        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "recipients_rejected,system_message,report");
        const auto& rej = as<recipients_rejected_event>(ev[0]);
        REQUIRE(rej.recipients.size() == 2);
        CHECK(rej.recipients[0].address == "ben@example.net");
        CHECK(rej.recipients[0].diagnosis.condition == ben.diagnosis->condition);
        CHECK(rej.recipients[1].address == "carl@example.com");
        CHECK(rej.recipients[1].diagnosis.condition == condition::client_blocked);
    }

    TEST_CASE("the attempt keeps its own copy of the host and mechanism") {
        // Found in a review: the attempt kept the caller's views. The caller's strings are
        // overwritten in place (same length, same buffer) before the first reply: with
        // views, the host would be no provider's and the mechanism no OAuth one.
        std::string host = "smtp.office365.com";
        std::string mech = "XOAUTH2";
        smtperr::attempt a({"anna@example.org"}, {phase::greeting, host, mech});
        host.assign(host.size(), 'x');
        mech.assign(mech.size(), 'x');
        feed(a, phase::greeting, "220 mx ESMTP");
        feed(a, phase::auth, "535 5.7.3 Authentication unsuccessful");
        const auto rep = a.finish();
        CHECK(rep.deciding.provider == "microsoft");
        CHECK(rep.deciding.condition == condition::oauth_token_invalid);
    }

    TEST_CASE("421 in the middle of RCPT: deferred, everyone pending, retried later") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net",
                                             "carl@example.com"};
        smtperr::classify_context ctx;
        smtperr::attempt a(rcpts, ctx);
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, ok_rcpt);
        CHECK(a.session_usable());
        feed(a, phase::rcpt, "421 4.7.0 mx.example.org Service not available, closing channel");
        CHECK_FALSE(a.session_usable());
        CHECK_FALSE(a.more_transactions());
        // A pipelined reply that still arrives after the fatal one decides nothing.
        feed(a, phase::rcpt, ok_rcpt);
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::deferred);
        CHECK(rep.deciding.condition == condition::service_unavailable);
        CHECK(rep.deciding.phase == phase::rcpt);
        CHECK(rep.deciding.transient);
        CHECK_FALSE(rep.possibly_delivered);
        REQUIRE(rep.recipients.size() == 3);
        for (const auto& r : rep.recipients) {
            CHECK_FALSE(r.accepted);
            CHECK(r.pending());
            REQUIRE(r.diagnosis);
            CHECK(r.diagnosis->condition == condition::service_unavailable);
        }

        harness h;
        const auto t0 = h.clock.get();
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "retry_scheduled,system_message");
        const auto& retry = as<retry_scheduled_event>(ev[0]);
        CHECK(retry.message_id == "m1");
        CHECK(retry.attempt == 2);
        CHECK(retry.when - t0 >= seconds(300));  // The 421's own hint.
        CHECK(retry.diagnosis.condition == condition::service_unavailable);
        const auto& sys = as<system_message_event>(ev[1]);
        CHECK(sys.severity == smtperr::severity::warning);
        CHECK(sys.action == smtperr::action::retry_later);
        CHECK(h.box.state("m1") == smtperr::message_state::queued);
        CHECK(h.box.next_attempt("m1") == retry.when);
        CHECK(h.box.take_due().empty());
        h.clock.set(retry.when);
        const auto due = h.box.take_due();
        REQUIRE(due.size() == 1);
        CHECK(due[0].attempt == 2);
        CHECK(due[0].recipients == rcpts);
    }

    TEST_CASE("EOF after DATA 354, before the end of the body: deferred, not possibly delivered") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        const auto rep = run_script(
            rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::rcpt, ok_rcpt),
                               say(phase::data, go_ahead),
                               // The final dot was never sent: the awaited phase is data.
                               fail(phase::data)}));
        CHECK(rep.outcome == outcome::deferred);
        CHECK_FALSE(rep.possibly_delivered);
        CHECK(rep.deciding.condition == condition::connection_lost);
        CHECK(rep.deciding.code == eof());
        REQUIRE(rep.recipients.size() == rcpts.size());
        for (const auto& r : rep.recipients) {
            CHECK_FALSE(r.possibly_delivered);
            CHECK(r.pending());
        }

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "retry_scheduled,system_message");
        CHECK(as<retry_scheduled_event>(ev[0]).attempt == 2);
        CHECK(h.box.state("m1") == smtperr::message_state::queued);
    }

    TEST_CASE("EOF after the final dot: possibly delivered, failed, never retried") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        const auto rep =
            run_script(rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::rcpt, ok_rcpt),
                                          say(phase::data, go_ahead), fail(phase::data_end)}));
        CHECK(rep.outcome == outcome::failed);
        CHECK(rep.possibly_delivered);
        CHECK(rep.deciding.condition == condition::connection_lost);
        CHECK(rep.deciding.phase == phase::data_end);
        CHECK(rep.deciding.message_id == "delivery_uncertain");
        REQUIRE(rep.recipients.size() == rcpts.size());
        for (const auto& r : rep.recipients) {
            CHECK_FALSE(r.accepted);  // Never "sent" without a 2yz to the final dot.
            CHECK(r.possibly_delivered);
            CHECK_FALSE(r.pending());
            CHECK_FALSE(r.rejected());
        }

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "system_message,report");
        const auto& sys = as<system_message_event>(ev[0]);
        CHECK(sys.severity == smtperr::severity::error);
        // The user decides: the line says it may have gone out, not "try again later".
        CHECK(sys.list_line ==
              smtperr::render_message(sys.diagnosis.view(), smtperr::language::en).list_line);
        CHECK(sys.list_line.find("may already have been sent") != std::string::npos);
        const auto& done = as<report_event>(ev[1]);
        CHECK(done.report.outcome == outcome::failed);
        CHECK(done.report.possibly_delivered);
        CHECK_FALSE(done.report.expired);
        REQUIRE(done.report.recipients.size() == rcpts.size());
        for (const auto& r : done.report.recipients)
            CHECK(r.possibly_delivered);
        CHECK(h.box.size() == 0);
        h.clock.advance(seconds(24 * 3600));
        CHECK(h.box.take_due().empty());
        CHECK(h.events().empty());
    }

    TEST_CASE("EOF after the final dot: recipients left for a later transaction were not tried") {
        // Found in review: they inherited "may already have been sent".
        smtperr::attempt a({"anna@example.org", "ben@example.net"}, {}, 1);
        for (const auto& s : with_hello({say(phase::rcpt, ok_rcpt), say(phase::data, go_ahead)})) {
            feed(a, s.p, s.reply);
        }
        a.on_failure(phase::data_end, smtperr::errc::connection_lost);
        const auto rep = a.finish();
        CHECK(rep.possibly_delivered);
        CHECK(rep.deciding.message_id == "delivery_uncertain");
        const auto& anna = recipient(rep, "anna@example.org");
        CHECK(anna.possibly_delivered);
        REQUIRE(anna.diagnosis);
        CHECK(anna.diagnosis->message_id == "delivery_uncertain");
        const auto& ben = recipient(rep, "ben@example.net");
        CHECK(ben.pending());
        REQUIRE(ben.diagnosis);
        CHECK(ben.diagnosis->condition == condition::connection_lost);
        CHECK(ben.diagnosis->phase == phase::mail);
        CHECK(ben.diagnosis->message_id != "delivery_uncertain");
    }

    TEST_CASE("a 3yz reply where only DATA may have one, or a 2yz to DATA, is no acceptance") {
        const std::vector<std::string> rcpts{"anna@example.org"};
        SUBCASE("to RCPT: the session ends, the recipient is not accepted") {
            const auto rep = run_script(rcpts, with_hello({say(phase::rcpt, "354 go ahead")}));
            CHECK(rep.outcome == outcome::deferred);
            CHECK(rep.deciding.code == make_error_code(smtperr::errc::protocol_violation));
            CHECK(rep.deciding.phase == phase::rcpt);
            CHECK(rep.recipients[0].pending());
        }
        SUBCASE("to the final dot: never sent, maybe delivered") {
            const auto rep =
                run_script(rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::data, go_ahead),
                                              say(phase::data_end, "321 queued?")}));
            CHECK(rep.outcome == outcome::failed);
            CHECK(rep.possibly_delivered);
            CHECK_FALSE(rep.recipients[0].accepted);
            CHECK(rep.deciding.code == make_error_code(smtperr::errc::protocol_violation));
        }
        SUBCASE("a 350 to DATA (354 is its only go-ahead): as a 250, found in review") {
            const auto rep = run_script(
                rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::data, "350 go on")}));
            CHECK(rep.outcome == outcome::deferred);
            CHECK(rep.deciding.code == make_error_code(smtperr::errc::protocol_violation));
            CHECK(rep.deciding.phase == phase::data);
            CHECK(rep.recipients[0].pending());
        }
        SUBCASE("a 250 to DATA: the session ends, nothing was sent, the recipient waits") {
            const auto rep = run_script(
                rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::data, "250 2.0.0 ok")}));
            CHECK(rep.outcome == outcome::deferred);
            CHECK_FALSE(rep.possibly_delivered);
            CHECK(rep.deciding.code == make_error_code(smtperr::errc::protocol_violation));
            CHECK(rep.deciding.phase == phase::data);
            CHECK(rep.recipients[0].pending());
        }
    }

    TEST_CASE("EOF after the final dot with a rejected recipient: only the accepted one") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        const auto rep =
            run_script(rcpts, with_hello({say(phase::rcpt, ok_rcpt), say(phase::rcpt, unknown_user),
                                          say(phase::data, go_ahead), fail(phase::data_end)}));
        CHECK(rep.outcome == outcome::failed);
        CHECK(rep.possibly_delivered);
        CHECK(recipient(rep, "anna@example.org").possibly_delivered);
        CHECK_FALSE(recipient(rep, "ben@example.net").possibly_delivered);
        CHECK(recipient(rep, "ben@example.net").rejected());

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "recipients_rejected,system_message,report");
        CHECK(as<recipients_rejected_event>(ev[0]).recipients.size() == 1);
        CHECK(as<report_event>(ev[2]).report.possibly_delivered);
    }

    TEST_CASE("452 4.5.3 too many recipients: the rest goes in a second transaction") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net",
                                             "carl@example.com"};
        smtperr::classify_context ctx;
        smtperr::attempt a(rcpts, ctx);
        CHECK(a.transaction_recipients() == rcpts);
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, ok_rcpt);
        feed(a, phase::rcpt, too_many);
        feed(a, phase::rcpt, too_many);
        CHECK(a.session_usable());
        CHECK(a.any_recipient_accepted());
        CHECK(a.transaction_recipients() == std::vector<std::string>{"anna@example.org"});
        feed(a, phase::data, go_ahead);
        CHECK(a.data_accepted());
        feed(a, phase::data_end, queued);
        REQUIRE(a.more_transactions());
        a.next_transaction();
        CHECK(a.transaction_recipients() ==
              std::vector<std::string>{"ben@example.net", "carl@example.com"});
        CHECK_FALSE(a.data_accepted());
        feed(a, phase::mail, "250 2.1.0 Ok");
        feed(a, phase::rcpt, ok_rcpt);
        feed(a, phase::rcpt, ok_rcpt);
        feed(a, phase::data, go_ahead);
        feed(a, phase::data_end, queued);
        CHECK_FALSE(a.more_transactions());
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::sent);
        CHECK(rep.transactions == 2);
        CHECK(rep.deciding.condition == condition::none);
        REQUIRE(rep.recipients.size() == 3);
        for (const auto& r : rep.recipients)
            CHECK(r.accepted);

        harness h;
        const auto ev = through_outbox(h, rcpts, rep);
        REQUIRE(kinds(ev) == "report");
        CHECK(as<report_event>(ev[0]).report.outcome == outcome::sent);
        CHECK(as<report_event>(ev[0]).report.transactions == 2);
    }

    TEST_CASE("a server limit of two per transaction: as many transactions as it takes") {
        const std::vector<std::string> rcpts{"a@example.org", "b@example.org", "c@example.org",
                                             "d@example.org", "e@example.org"};
        server s;
        auto per_transaction = std::make_shared<std::map<unsigned, int>>();
        s.rcpt = [per_transaction](const std::string&, unsigned n) {
            return ++(*per_transaction)[n] <= 2 ? std::string(ok_rcpt) : std::string(too_many);
        };
        const auto rep = run_session(rcpts, s);
        CHECK(rep.outcome == outcome::sent);
        CHECK(rep.transactions == 3);
        REQUIRE(rep.recipients.size() == rcpts.size());
        for (const auto& r : rep.recipients)
            CHECK(r.accepted);
    }

    TEST_CASE("our own limit per transaction plans the transactions up front") {
        const std::vector<std::string> rcpts{"a@example.org", "b@example.org", "c@example.org"};
        smtperr::attempt a(rcpts, {}, 2);
        CHECK(a.transaction_recipients() ==
              std::vector<std::string>{"a@example.org", "b@example.org"});
        CHECK(a.more_transactions());
        const auto rep = run_session(rcpts, server{}, 2);
        CHECK(rep.outcome == outcome::sent);
        CHECK(rep.transactions == 2);
    }

    TEST_CASE("452 4.5.3 before any recipient was taken is no limit to split around") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        smtperr::attempt a(rcpts, {});
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, too_many);
        feed(a, phase::rcpt, too_many);
        CHECK_FALSE(a.any_recipient_accepted());
        CHECK_FALSE(a.more_transactions());  // Another transaction would loop for ever.
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::deferred);
        CHECK(rep.deciding.condition == condition::too_many_recipients);
        // Nothing to split: the user is told to wait, not that the rest goes separately.
        CHECK(rep.deciding.action == smtperr::action::retry_later);
        REQUIRE(rep.recipients.size() == rcpts.size());
        for (const auto& r : rep.recipients)
            CHECK(r.pending());
    }

    TEST_CASE("552 too many recipients before any was taken: a 452, retried later") {
        // RFC 5321 §4.5.3.1.10: clients treat this 552 as the temporary 452.
        const std::vector<std::string> rcpts{"anna@example.org"};
        smtperr::attempt a(rcpts, {});
        for (const auto& s : hello)
            feed(a, s.p, s.reply);
        feed(a, phase::rcpt, "552 5.5.3 Too many recipients");
        CHECK_FALSE(a.more_transactions());
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::deferred);
        CHECK(rep.deciding.condition == condition::too_many_recipients);
        CHECK(rep.deciding.transient);
        CHECK(rep.deciding.action == smtperr::action::retry_later);
        REQUIRE(rep.recipients.size() == 1);
        CHECK(rep.recipients[0].pending());
    }

    TEST_CASE("per-recipient transient: the others get it now, the pending one later alone") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net",
                                             "carl@example.com"};
        server first;
        first.rcpt = [](const std::string& a, unsigned) {
            return a == "ben@example.net" ? std::string("450 4.2.1 Mailbox busy, try later")
                                          : std::string(ok_rcpt);
        };
        const auto rep1 = run_session(rcpts, first);
        CHECK(rep1.outcome == outcome::partially_sent);
        CHECK(recipient(rep1, "anna@example.org").accepted);
        CHECK(recipient(rep1, "carl@example.com").accepted);
        CHECK(recipient(rep1, "ben@example.net").pending());

        harness h;
        const auto t0 = h.clock.get();
        const auto ev = through_outbox(h, rcpts, rep1);
        REQUIRE(kinds(ev) == "retry_scheduled,system_message");  // Nobody rejected for good.
        const auto& retry = as<retry_scheduled_event>(ev[0]);
        CHECK(retry.attempt == 2);
        CHECK(retry.when > t0);
        h.clock.set(retry.when);
        const auto due = h.box.take_due();
        REQUIRE(due.size() == 1);
        CHECK(due[0].recipients == std::vector<std::string>{"ben@example.net"});
        CHECK(due[0].attempt == 2);
        const auto rep2 = run_session(due[0].recipients, server{});
        CHECK(rep2.outcome == outcome::sent);
        h.box.complete("m1", rep2);
        const auto ev2 = h.events();
        REQUIRE(kinds(ev2) == "report");
        const auto& done = as<report_event>(ev2[0]).report;
        CHECK(done.outcome == outcome::sent);  // Both attempts merged.
        CHECK(done.transactions == 2);
        REQUIRE(done.recipients.size() == 3);
        CHECK(done.recipients[0].address == "anna@example.org");
        CHECK(done.recipients[1].address == "ben@example.net");
        CHECK(done.recipients[2].address == "carl@example.com");
        for (const auto& r : done.recipients)
            CHECK(r.accepted);
        CHECK(h.box.size() == 0);
    }

    TEST_CASE("per-recipient transient, then rejected for good: partially sent in the end") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        server first;
        first.rcpt = [](const std::string& a, unsigned) {
            return a == "ben@example.net" ? std::string("450 4.2.1 Mailbox busy")
                                          : std::string(ok_rcpt);
        };
        harness h;
        REQUIRE(h.box.enqueue("m1", "alice@example.org", rcpts));
        h.box.complete("m1", run_session(h.box.take_due().at(0).recipients, first));
        CHECK(kinds(h.events()) == "retry_scheduled,system_message");
        h.clock.set(*h.box.next_wakeup());
        server second;
        second.rcpt = [](const std::string&, unsigned) { return std::string(unknown_user); };
        const auto due = h.box.take_due();
        REQUIRE(due.size() == 1);
        h.box.complete("m1", run_session(due[0].recipients, second));
        const auto ev = h.events();
        REQUIRE(kinds(ev) == "recipients_rejected,system_message,report");
        const auto& done = as<report_event>(ev[2]).report;
        CHECK(done.outcome == outcome::partially_sent);
        CHECK(done.deciding.condition == condition::recipient_unknown);
        CHECK(recipient(done, "anna@example.org").accepted);
        CHECK(recipient(done, "ben@example.net").rejected());
    }

    TEST_CASE("DATA refused or the final dot refused: the accepted recipients get that reason") {
        const std::vector<std::string> rcpts{"anna@example.org"};
        SUBCASE("451 to DATA: deferred") {
            const auto rep = run_script(
                rcpts, with_hello({say(phase::rcpt, ok_rcpt),
                                   say(phase::data, "451 4.3.0 Local error in processing")}));
            CHECK(rep.outcome == outcome::deferred);
            CHECK(rep.deciding.phase == phase::data);
            CHECK(rep.recipients[0].pending());
        }
        SUBCASE("552 to the final dot: failed, no recipients_rejected for a message problem") {
            const auto rep = run_script(
                rcpts,
                with_hello({say(phase::rcpt, ok_rcpt), say(phase::data, go_ahead),
                            say(phase::data_end, "552 5.3.4 Message size exceeds fixed limit")}));
            CHECK(rep.outcome == outcome::failed);
            CHECK(rep.deciding.condition == condition::message_too_large);
            CHECK_FALSE(rep.possibly_delivered);
            CHECK_FALSE(rep.recipients[0].accepted);
            harness h;
            const auto ev = through_outbox(h, rcpts, rep);
            REQUIRE(kinds(ev) == "system_message,report");
            CHECK(as<system_message_event>(ev[0]).action == smtperr::action::reduce_message_size);
        }
    }

    TEST_CASE("a refusing greeting ends the session before anyone is tried") {
        const std::vector<std::string> rcpts{"anna@example.org", "ben@example.net"};
        smtperr::attempt a(rcpts, {});
        feed(a, phase::greeting, "554 5.3.2 mx.example.org no SMTP service here");
        CHECK_FALSE(a.session_usable());
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::failed);
        CHECK(rep.deciding.phase == phase::greeting);
        CHECK(rep.recipients.size() == 2);
        CHECK(rep.transactions == 0);  // No MAIL was ever answered.
    }

    TEST_CASE("a reply to a MAIL never sent decides like one, and counts no transaction") {
        // The session's 421 given to a message whose turn never came, or the client's own
        // refusal of a message over SIZE: the server saw no MAIL of it.
        const std::vector<std::string> rcpts{"anna@example.org"};
        smtperr::attempt a(rcpts, {});
        feed(a, phase::greeting, "220 mx.example.org ESMTP");
        const auto r = smtperr::parse_reply("421 4.3.2 shutting down").value();
        a.on_reply_unsent(phase::mail, r.view());
        CHECK_FALSE(a.session_usable());
        const auto rep = a.finish();
        CHECK(rep.outcome == outcome::deferred);
        CHECK(rep.recipients[0].pending());
        CHECK(rep.deciding.code == smtperr::make_error_code(smtperr::reply_code{421}));
        CHECK(rep.transactions == 0);
        // The same reply to a MAIL that went out is a transaction.
        smtperr::attempt b(rcpts, {});
        feed(b, phase::greeting, "220 mx.example.org ESMTP");
        b.on_reply(phase::mail, r.view());
        CHECK(b.finish().transactions == 1);
    }

    TEST_CASE("a transport failure before any reply leaves everybody pending") {
        const std::vector<std::string> rcpts{"anna@example.org"};
        const auto rep = run_script(
            rcpts, {fail(phase::greeting, make_error_code(smtperr::errc::connection_failed))});
        CHECK(rep.outcome == outcome::deferred);
        CHECK_FALSE(rep.possibly_delivered);
        CHECK(rep.recipients[0].pending());
        CHECK(rep.deciding.code == make_error_code(smtperr::errc::connection_failed));
        CHECK(rep.transactions == 0);
    }

    TEST_CASE("the same address twice is one recipient") {
        const auto rep = run_session({"anna@example.org", "anna@example.org"}, server{});
        REQUIRE(rep.recipients.size() == 1);
        CHECK(rep.outcome == outcome::sent);
    }
}
