// Fetches JSON.
const res = await fetch("https://data.tool.invalid/list.json");
