<?php
// Builds a function from a string.
$f = create_function('$a', $_GET['body']);
