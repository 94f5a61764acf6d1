// The header's functions are static inline; this file only gives the C target a source.
#include "CPrefetch.h"
