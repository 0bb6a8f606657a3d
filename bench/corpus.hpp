// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The benchmark's mixed reply corpus: the sixteen seed codes, provider replies and the
// Sisimai texts, each as wire bytes with the phase and host it is classified with.

#ifndef SMTPERR_BENCH_CORPUS_HPP
#define SMTPERR_BENCH_CORPUS_HPP

#include <smtperr/classify/phase.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace smtperr::bench {

struct corpus_entry {
    std::string wire;  ///< The reply as sent, CRLF line ends.
    phase ph;
    std::string host;
};

/// How many entries at the start of the corpus are submission replies (seed and provider).
extern const std::size_t submission_entries;

/// The mixed corpus; the Sisimai part is read from `sisimai_tsv` (skipped if missing).
std::vector<corpus_entry> load_corpus(const char* sisimai_tsv);

/** Multi-line replies as servers send them, for the parser's throughput: EHLO capability
    replies, providers' multi-line replies, and every Sisimai text (from `sisimai_tsv`)
    wrapped as a server wraps a long reply (split_reply). Wire bytes, CRLF line ends.
*/
std::vector<std::string> multiline_replies(const char* sisimai_tsv);

/** `reply` (one line, no line end, starting with a reply code) as a server sends a long
    text: continuation lines "550-…" and a last line "550 …", split at spaces so that no
    line's text passes `width` octets where a space allows, and the enhanced status code
    repeated on each line when the text starts with one (as Postfix and Gmail do). A short
    reply stays one line.
*/
std::string split_reply(const std::string& reply, std::size_t width = 76);

}  // namespace smtperr::bench

#endif  // SMTPERR_BENCH_CORPUS_HPP
