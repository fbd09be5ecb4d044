/** Where the CLI writes: the script's output, and everything else. */
export interface Streams {
  out: (s: string) => void;
  err: (s: string) => void;
}
