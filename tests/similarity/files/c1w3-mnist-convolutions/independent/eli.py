# %% reshape_and_normalize
def reshape_and_normalize(images):
    """Return the images with a channel axis, shape (n, 28, 28, 1), scaled to [0, 1]."""
    # YOUR CODE HERE
    result = images.astype(np.float64)
    result = result.reshape((-1, 28, 28, 1))
    result /= 255.0  # a new array, so dividing in place is fine here
    return result
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99.5%."""

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        try:
            acc = logs['accuracy']
        except (KeyError, TypeError):
            return
        if acc >= 0.995:
            self.model.stop_training = True
            print('\nReached 99.5% accuracy so cancelling training!')
# %% convolutional_model
def convolutional_model():
    """Return a compiled Conv2D + MaxPooling2D classifier for 28x28x1 images with 10 softmax outputs."""
    # YOUR CODE HERE
    layer_list = [
        tf.keras.Input(shape=(28, 28, 1)),
        tf.keras.layers.Conv2D(32, kernel_size=(3, 3), activation='relu'),
        tf.keras.layers.MaxPooling2D(pool_size=(2, 2)),
        tf.keras.layers.Conv2D(64, kernel_size=(3, 3), activation='relu'),
        tf.keras.layers.MaxPooling2D(pool_size=(2, 2)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(100, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax'),
    ]
    model = tf.keras.Sequential(layer_list)
    model.compile(optimizer=tf.keras.optimizers.RMSprop(), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model
