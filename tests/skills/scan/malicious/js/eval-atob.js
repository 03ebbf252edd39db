// Decodes base64 and evaluates it.
const blob = "Y29uc29sZS5sb2coMSk=";
eval(atob(blob));
