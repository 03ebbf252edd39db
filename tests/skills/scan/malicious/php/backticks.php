<?php
// The backtick operator runs a shell command.
$listing = `ls -la`;
