// Opens a raw TCP connection.
const net = require("net");

const sock = net.connect(4444, "198.51.100.9");
