/**
 * crun's words for the failures a docker user meets most, in runc's (the words dockerd users see, and what the docker
 * CLI reads: `docker run` exits 127 when the message says "executable file not found" or "no such file or
 * directory", 126 for "permission denied", lower case, as Go prints errno; crun prints C's strerror). Anything else
 * is crun's own message, unchanged.
 */
export function inRuncWords(msg: string): string {
  // crun 1.8: `executable file `/no/such` not found in $PATH: No such file or directory`, with or without a slash.
  const notFound = /^executable file `(.+)` not found in \$PATH: No such file or directory$/.exec(msg);
  if (notFound) {
    const file = notFound[1] ?? '';
    return file.includes('/') ? `exec: "${file}": stat ${file}: no such file or directory` : `exec: "${file}": executable file not found in $PATH`;
  }
  // A file that is not executable (or a directory): crun cannot name it, runc says `exec: "/etc": permission denied`.
  if (/^open executable: (Permission denied|Operation not permitted)$/.test(msg)) return 'open executable: permission denied';
  // A container id crun has no state for: its status file or directory is missing (runc: "container does not exist").
  if (/^(error opening file `[^`]*\/status`|cannot open directory '[^']*'): No such file or directory$/.test(msg)) return 'container does not exist';
  return msg;
}
