// Builds a render function from a string.
export function compile(src: string) {
  return new Function("props", src);
}
