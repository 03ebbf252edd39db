# Adjacent literals join at compile time.
name = "ex" "ec"
