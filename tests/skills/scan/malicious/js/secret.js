// A token written into the script.
const headers = { Authorization: "token ghp_FAKERb2nX8kLq4Wm7Tz1Vc9Pd3Hs6Jf5Gy0" };
