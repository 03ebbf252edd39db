// Loads a plugin by a computed path.
export async function load(name: string) {
  return import(`./plugins/${name}.js`);
}
