#!/usr/bin/perl
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
#
# Sisimai's side of the side-by-side benchmark (bench/sisimai/run.sh): Sisimai->match, the
# public classifier of one diagnostic text, on every text of tests/data/sisimai/diagnostics.tsv,
# repeated for at least SECONDS of CPU time; prints the throughput and the agreement with the expected
# reasons through the same reason -> condition mapping the smtperr side uses.
#
#   perl sisimai_side.pl DIAGNOSTICS_TSV REASON_MAP_TSV [SECONDS]
#
# Output: one line of key=value pairs (run.sh reads it).
use strict;
use warnings;
use Sisimai;
use Sisimai::Reason;
use Time::HiRes qw(clock_gettime CLOCK_PROCESS_CPUTIME_ID);

my ($tsv, $map_tsv, $seconds) = @ARGV;
die "usage: $0 DIAGNOSTICS_TSV REASON_MAP_TSV [SECONDS]\n" unless defined $map_tsv;
$seconds //= 3;

# reason -> [conditions]; an empty list excludes the reason from the agreement.
my %map;
open(my $m, '<:encoding(UTF-8)', $map_tsv) or die "$map_tsv: $!\n";
my $header = 1;
while (my $line = <$m>) {
    chomp $line;
    next if $line eq '' || $line =~ /^#/;
    if ($header) { $header = 0; next }
    my ($reason, $conditions) = split /\t/, $line, -1;
    $map{$reason} = [grep { length } split /,/, ($conditions // '')];
}
close $m;

# id smtp_command reply_code status status_is_sisimai_internal reason rhost text
my @rows;
open(my $in, '<:encoding(UTF-8)', $tsv) or die "$tsv: $!\n";
<$in>;
while (my $line = <$in>) {
    chomp $line;
    my @f = split /\t/, $line, -1;
    next if @f < 8;
    push @rows, { reason => $f[5], text => $f[7] };
}
close $in;
die "no rows in $tsv\n" unless @rows;

# Agreement: once, outside the timed loop.
my ($total, $exact, $mapped, $excluded, $unmatched) = (0, 0, 0, 0, 0);
for my $r (@rows) {
    my $want = $map{ $r->{reason} } // die "reason $r->{reason} missing in $map_tsv\n";
    if (!@$want) { $excluded++; next }
    $total++;
    my $got = Sisimai->match($r->{text});
    if (!defined $got) { $unmatched++; next }
    $exact++ if $got eq $r->{reason};
    my %ok = map { $_ => 1 } @$want;
    $mapped++ if $got eq $r->{reason} || grep { $ok{$_} } @{ $map{$got} // [] };
}

# Throughput: whole passes over the texts until the time is up.
my ($texts, $sink) = (0, 0);
# CPU time of this process, so other load on the machine does not count against it.
my $start = clock_gettime(CLOCK_PROCESS_CPUTIME_ID);
my $elapsed = 0;
while ($elapsed < $seconds) {
    for my $r (@rows) {
        my $got = Sisimai->match($r->{text});
        $sink++ if defined $got;
    }
    $texts += @rows;
    $elapsed = clock_gettime(CLOCK_PROCESS_CPUTIME_ID) - $start;
}

printf "sisimai version=%s texts=%d texts_per_s=%.0f agree_mapped=%d agree_exact=%d total=%d "
    . "excluded=%d unmatched=%d\n",
    Sisimai->version, scalar @rows, $texts / $elapsed, $mapped, $exact, $total, $excluded,
    $unmatched;
