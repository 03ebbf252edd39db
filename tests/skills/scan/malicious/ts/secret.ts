// A key written into the module.
export const client = { apiKey: "sk-ant-api03-FAKEq8Wm2Zx5Lr7Tn1Vb4Kc9" };
