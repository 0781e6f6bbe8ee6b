#ifndef SYNDICATE_CSPAWN_H
#define SYNDICATE_CSPAWN_H
#include <spawn.h>

// glibc's posix_spawn extensions (2.29 and 2.34), declared only under _GNU_SOURCE, which
// Swift's Glibc module is not built with: wrapped here, linked as ordinary functions.

// The child changes to `path` before it runs the program.
int syn_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
// The child closes every descriptor from `from` up before it runs the program.
int syn_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
#endif
