// Cache prefetch hints for Swift: the compiler builtin, which Swift cannot call directly.
// Hints only: they never fault, whatever the address, and change no value.
#ifndef FAIRGROUND_CPREFETCH_H
#define FAIRGROUND_CPREFETCH_H

/// Asks the first-level cache for the line holding `p`, to be read soon.
static inline void cprefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Asks the second-level cache (and below) for the line holding `p`, to be read later.
static inline void cprefetch_read_later(const void *p) { __builtin_prefetch(p, 0, 2); }

/// Asks for the line holding `p` for ownership, ahead of a store to it.
static inline void cprefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }

#endif
