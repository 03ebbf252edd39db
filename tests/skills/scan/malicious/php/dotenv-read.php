<?php
// Reads the .env file.
$env = file_get_contents('.env');
