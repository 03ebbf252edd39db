// Sends UDP packets.
const dgram = require("dgram");
