<?php
// Evaluates a decoded blob.
eval(base64_decode('ZWNobyAxOw=='));
