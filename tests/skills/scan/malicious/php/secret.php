<?php
// A key written into the script.
$stripe = 'sk_live_FAKEq2W8e4R6t1Y3u5I7o9P0';
