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

// Multi-line replies of real servers (EHLO capabilities, providers' refusals), with
// made-up hosts and ids.
const char* const multiline_fixed[] = {
    "250-smtp.example.net Hello\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 SMTPUTF8\r\n",
    // Postfix
    "250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
    "250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
    // Gmail
    "250-smtp.gmail.com at your service, [192.0.2.10]\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"
    "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    // Microsoft 365
    "250-AM0PR01CA0123.outlook.office365.com Hello [192.0.2.10]\r\n250-SIZE 157286400\r\n"
    "250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n"
    "250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    // Exim
    "250-mx.example.com Hello client.example.net [192.0.2.10]\r\n250-SIZE 52428800\r\n"
    "250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN\r\n"
    "250-CHUNKING\r\n250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n",
    "534-5.7.9 Application-specific password required. Learn more at\r\n"
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d2e1a72fcca58-7.1 - "
    "gsmtp\r\n",
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-ab - gsmtp\r\n",
    "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
    "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
    "550-5.1.1 unnecessary spaces. For more information, go to\r\n"
    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123456wrb.12 - gsmtp\r\n",
    "552-5.2.2 The recipient's inbox is out of storage space. Please direct the\r\n"
    "552-5.2.2 recipient to\r\n"
    "552 5.2.2  https://support.google.com/mail/?p=OverQuotaTemp b2si1234567wrc.34 - gsmtp\r\n",
    "421-4.7.0 [192.0.2.10      15] Our system has detected an unusual rate of\r\n"
    "421-4.7.0 unsolicited mail originating from your IP address. To protect our\r\n"
    "421-4.7.0 users from spam, mail sent from your IP address has been temporarily\r\n"
    "421-4.7.0 rate limited. For more information, go to\r\n"
    "421 4.7.0  https://support.google.com/mail/?p=UnsolicitedRateLimitError "
    "c3si1234567wrd.56 - gsmtp\r\n",
    "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's\r\n"
    "550-5.7.26 DMARC policy. Please contact the administrator of example.com domain if\r\n"
    "550-5.7.26 this was a legitimate mail. To learn about the DMARC initiative, go to\r\n"
    "550 5.7.26  https://support.google.com/mail/?p=DmarcRejection d4si1234567wre.78 - gsmtp\r\n",
    "554-mx.example.net\r\n554-Your access to this mail system has been rejected due to the\r\n"
    "554-sending MTA's poor reputation. If you believe that this failure is in error,\r\n"
    "554 please contact the intended recipient via alternate means.\r\n",
};

bool enhanced_code_at(const std::string& s, std::size_t i) {
    // class "." subject "." detail, then a space: what a server repeats on each line.
    if (i >= s.size() || (s[i] != '2' && s[i] != '4' && s[i] != '5') || i + 1 >= s.size() ||
        s[i + 1] != '.') {
        return false;
    }
    std::size_t j = i + 2;
    for (int part = 0; part < 2; ++part) {
        const std::size_t from = j;
        while (j < s.size() && j - from < 3 && s[j] >= '0' && s[j] <= '9') {
            ++j;
        }
        if (j == from || j >= s.size() || s[j] != (part == 0 ? '.' : ' ')) {
            return false;
        }
        ++j;
    }
    return true;
}

}  // namespace

const std::size_t submission_entries = std::size(fixed);

std::string split_reply(const std::string& reply, std::size_t width) {
    if (reply.size() <= 4) {
        return reply + "\r\n";  // a code alone
    }
    const std::string code = reply.substr(0, 3);
    std::size_t at = 4;
    std::string prefix_extra;  // "5.1.1 " when the text starts with an enhanced code
    if (enhanced_code_at(reply, at)) {
        const std::size_t end = reply.find(' ', at) + 1;
        prefix_extra = reply.substr(at, end - at);
        at = end;
    }
    std::vector<std::string> lines;
    std::string line;
    while (at < reply.size()) {
        std::size_t end = reply.find(' ', at);
        if (end == std::string::npos) {
            end = reply.size();
        }
        const std::string word = reply.substr(at, end - at);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(line);
            line.clear();
        }
        line += line.empty() ? word : " " + word;
        at = end + 1;
    }
    lines.push_back(line);
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += code;
        out += i + 1 < lines.size() ? '-' : ' ';
        out += prefix_extra + lines[i] + "\r\n";
    }
    return out;
}

std::vector<std::string> multiline_replies(const char* sisimai_tsv) {
    std::vector<std::string> out(std::begin(multiline_fixed), std::end(multiline_fixed));
    for (const auto& r : sisimai_data::read_rows(sisimai_tsv)) {
        out.push_back(split_reply(r.reply));
    }
    return out;
}

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
