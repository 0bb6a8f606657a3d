// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "corpus.hpp"

#include <iterator>

#include "data/sisimai/rows.hpp"

namespace smtperr::bench {

namespace {

struct fixed_entry {
    phase ph;
    const char* host;
    const char* wire;
};

// Seed codes and provider replies, as servers send them.
const fixed_entry fixed[] = {
    {phase::greeting, "",
     "421 4.3.2 mail.example.net Service not available, closing transmission channel\r\n"},
    {phase::rcpt, "",
     "450 4.2.1 <anna@example.de>: Mailbox temporarily locked, try again later\r\n"},
    {phase::data_end, "", "451 4.3.0 Requested action aborted: local error in processing\r\n"},
    {phase::mail, "", "452 4.3.1 Insufficient system storage\r\n"},
    {phase::auth, "", "454 4.7.0 Temporary authentication failure\r\n"},
    {phase::mail, "", "501 5.5.4 Syntax error in parameters or arguments\r\n"},
    {phase::data, "", "503 5.5.1 Bad sequence of commands\r\n"},
    {phase::mail, "", "504 5.5.4 Command parameter not implemented\r\n"},
    {phase::greeting, "", "521 5.3.2 mail.example.net does not accept mail\r\n"},
    {phase::mail, "", "530 5.7.0 Authentication required\r\n"},
    {phase::auth, "", "535 5.7.8 Authentication credentials invalid\r\n"},
    {phase::rcpt, "", "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown\r\n"},
    {phase::rcpt, "", "551 5.1.6 User not local; please try <bob@new.example.org>\r\n"},
    {phase::data_end, "", "552 5.3.4 Message size exceeds fixed maximum message size\r\n"},
    {phase::rcpt, "",
     "553 5.1.3 <bob@@example.org>: Recipient address rejected: mailbox name not allowed\r\n"},
    {phase::data_end, "", "554 5.7.1 Transaction failed: sender address is not allowed\r\n"},
    {phase::auth, "smtp.gmail.com",
     "534-5.7.9 Application-specific password required. Learn more at\r\n"
     "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d2e1a72fcca58-7.1 - "
     "gsmtp\r\n"},
    {phase::auth, "smtp.gmail.com",
     "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
     "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-ab - gsmtp\r\n"},
    {phase::auth, "smtp.office365.com",
     "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
     "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
     "[AM0PR01CA0123.eurprd01.prod.exchangelabs.com 2024-01-01T00:00:00.000Z]\r\n"},
    {phase::rcpt, "",
     "450 4.7.1 <bob@example.org>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.org.html\r\n"},
    {phase::ehlo, "",
     "250-smtp.example.net Hello\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
     "250-ENHANCEDSTATUSCODES\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 SMTPUTF8\r\n"},
    {phase::data_end, "", "250 2.0.0 Ok: queued as 4Xyz1234\r\n"},
};

}  // namespace

const std::size_t submission_entries = std::size(fixed);

std::vector<corpus_entry> load_corpus(const char* sisimai_tsv) {
    std::vector<corpus_entry> out;
    for (const auto& f : fixed) {
        out.push_back({f.wire, f.ph, f.host});
    }
    for (auto& r : sisimai_data::read_rows(sisimai_tsv)) {
        out.push_back({std::move(r.reply) + "\r\n", r.ph, std::move(r.host)});
    }
    return out;
}

}  // namespace smtperr::bench
