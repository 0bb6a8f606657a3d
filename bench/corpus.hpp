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

}  // namespace smtperr::bench

#endif  // SMTPERR_BENCH_CORPUS_HPP
